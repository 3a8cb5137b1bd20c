//! Errors of the IAM engine. Messages are lowercase, name the place in the
//! document (`Statement[1].Condition.StringLike`), and quote the input.

/// A policy document that is not valid JSON or not a valid IAM policy.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{at}: {message}")]
pub struct PolicyError {
    /// Where in the document: `Statement[2].Action`, or `line 3 column 7`.
    pub at: String,
    /// What is wrong.
    pub message: String,
}

impl PolicyError {
    pub(crate) fn new(at: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            at: at.into(),
            message: message.into(),
        }
    }

    /// The same error, placed inside `outer` (`identity_policies[0]`).
    pub fn within(self, outer: &str) -> Self {
        let at = if self.at.is_empty() {
            outer.to_owned()
        } else if self.at.starts_with("line ") {
            format!("{outer} ({})", self.at)
        } else {
            format!("{outer}.{}", self.at)
        };
        Self { at, ..self }
    }
}

/// A request that cannot be evaluated.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RequestError {
    /// The principal is not an IAM ARN, a service principal or `*`.
    #[error(
        "principal `{0}` is not an IAM user, role, root, assumed-role or federated-user ARN, a service principal (`x.amazonaws.com`) or `*`"
    )]
    Principal(String),
    /// The action is not `service:Action`.
    #[error("action `{0}` is not of the form `service:Action`")]
    Action(String),
    /// The resource is empty.
    #[error("resource must be an ARN or `*`, got `{0}`")]
    Resource(String),
    /// The resource account is not 12 digits.
    #[error("resource_account `{0}` is not a 12-digit account id")]
    ResourceAccount(String),
    /// A policy in the request is invalid.
    #[error(transparent)]
    Policy(#[from] PolicyError),
    /// The request JSON is malformed.
    #[error("{0}")]
    Malformed(String),
}
