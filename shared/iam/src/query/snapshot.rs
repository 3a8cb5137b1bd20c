//! Loading an account's IAM snapshot from `GetAccountAuthorizationDetails`
//! JSON, with its resource policies and organization policies.

use super::*;

pub(super) fn decode_document(v: &Value) -> Result<Policy, String> {
    match v {
        Value::String(s) => {
            let text = if s.trim_start().starts_with('{') {
                s.clone()
            } else {
                percent_decode(s)
            };
            Policy::parse(&text).map_err(|e| e.to_string())
        }
        other => Policy::from_value(other).map_err(|e| e.to_string()),
    }
}

/// Decodes `%XX` escapes (GetAccountAuthorizationDetails URL-encodes
/// documents); `+` is kept.
pub(super) fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let hex = bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok());
            if let Some(x) = hex {
                out.push(x);
                i += 3;
                continue;
            }
        }
        out.push(b);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

pub(super) fn str_of<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

pub(super) fn list<'a>(v: &'a Value, key: &str) -> impl Iterator<Item = &'a Value> {
    v.get(key).and_then(Value::as_array).into_iter().flatten()
}

impl AccountSnapshot {
    /// Reads `GetAccountAuthorizationDetails` output (the JSON the API or the
    /// AWS CLI returns, documents URL-encoded or not). Policies that do not
    /// parse are listed in `errors` and skipped.
    pub fn from_authorization_details(account: &str, details: &Value) -> Self {
        let mut snap = Self {
            account: account.to_owned(),
            ..Self::default()
        };
        let mut managed: HashMap<String, Arc<Policy>> = HashMap::new();
        for p in list(details, "Policies") {
            let Some(arn) = str_of(p, "Arn") else {
                continue;
            };
            let default = list(p, "PolicyVersionList")
                .find(|v| v.get("IsDefaultVersion").and_then(Value::as_bool) == Some(true));
            match default.and_then(|v| v.get("Document")).map(decode_document) {
                Some(Ok(pol)) => {
                    managed.insert(arn.to_owned(), Arc::new(pol));
                }
                Some(Err(e)) => snap.errors.push(format!("{arn}: {e}")),
                None => snap
                    .errors
                    .push(format!("{arn}: no default version document")),
            }
        }
        let inline = |owner: &str, v: &Value, key: &str, errors: &mut Vec<String>| {
            let mut out = Vec::new();
            for p in list(v, key) {
                let name = str_of(p, "PolicyName").unwrap_or("inline");
                match p.get("PolicyDocument").map(decode_document) {
                    Some(Ok(pol)) => out.push((format!("{owner}:inline/{name}"), Arc::new(pol))),
                    Some(Err(e)) => errors.push(format!("{owner} inline {name}: {e}")),
                    None => {}
                }
            }
            out
        };
        let attached = |v: &Value, errors: &mut Vec<String>| {
            let mut out = Vec::new();
            for a in list(v, "AttachedManagedPolicies") {
                if let Some(arn) = str_of(a, "PolicyArn") {
                    match managed.get(arn) {
                        Some(p) => out.push((arn.to_owned(), p.clone())),
                        None => errors.push(format!("{arn}: attached but not in Policies")),
                    }
                }
            }
            out
        };
        let tags = |v: &Value| {
            list(v, "Tags")
                .filter_map(|t| {
                    Some((str_of(t, "Key")?.to_owned(), str_of(t, "Value")?.to_owned()))
                })
                .collect::<BTreeMap<_, _>>()
        };
        let boundary = |v: &Value| {
            v.get("PermissionsBoundary")
                .and_then(|b| str_of(b, "PermissionsBoundaryArn"))
                .and_then(|arn| managed.get(arn).map(|p| (arn.to_owned(), p.clone())))
        };
        let mut errors = Vec::new();
        let mut groups: HashMap<String, Vec<(String, Arc<Policy>)>> = HashMap::new();
        for g in list(details, "GroupDetailList") {
            let Some(name) = str_of(g, "GroupName") else {
                continue;
            };
            let owner = str_of(g, "Arn").unwrap_or(name).to_owned();
            let mut pols = inline(&owner, g, "GroupPolicyList", &mut errors);
            pols.extend(attached(g, &mut errors));
            groups.insert(name.to_owned(), pols);
        }
        for u in list(details, "UserDetailList") {
            let Some(arn) = str_of(u, "Arn") else {
                continue;
            };
            let mut pols = inline(arn, u, "UserPolicyList", &mut errors);
            pols.extend(attached(u, &mut errors));
            for g in list(u, "GroupList").filter_map(Value::as_str) {
                pols.extend(groups.get(g).into_iter().flatten().cloned());
            }
            snap.identities.push(Identity {
                arn: arn.to_owned(),
                kind: IdentityKind::User,
                policies: pols,
                boundary: boundary(u),
                trust: None,
                tags: tags(u),
            });
        }
        for r in list(details, "RoleDetailList") {
            let Some(arn) = str_of(r, "Arn") else {
                continue;
            };
            let mut pols = inline(arn, r, "RolePolicyList", &mut errors);
            pols.extend(attached(r, &mut errors));
            let trust = match r.get("AssumeRolePolicyDocument").map(decode_document) {
                Some(Ok(p)) => Some(Arc::new(p)),
                Some(Err(e)) => {
                    errors.push(format!("{arn} trust policy: {e}"));
                    None
                }
                None => None,
            };
            snap.identities.push(Identity {
                arn: arn.to_owned(),
                kind: IdentityKind::Role,
                policies: pols,
                boundary: boundary(r),
                trust,
                tags: tags(r),
            });
        }
        snap.errors.extend(errors);
        snap
    }

    /// Adds a resource-based policy (JSON text or object).
    pub fn add_resource_policy(&mut self, arn: &str, document: &Value) -> Result<(), String> {
        let p = decode_document(document)?;
        p.validate(PolicyKind::Resource)
            .map_err(|e| e.to_string())?;
        self.resource_policies.insert(arn.to_owned(), Arc::new(p));
        Ok(())
    }

    /// The identity with this ARN.
    pub fn identity(&self, arn: &str) -> Option<&Identity> {
        self.identities.iter().find(|i| i.arn == arn)
    }

    /// The resource policy governing `resource`: its own, or for an S3
    /// object its bucket's.
    pub fn resource_policy(&self, resource: &str) -> Option<&Arc<Policy>> {
        self.resource_policies.get(resource).or_else(|| {
            let a = Arn::parse(resource)?;
            if a.service != "s3" {
                return None;
            }
            let bucket = a.resource.split('/').next()?;
            self.resource_policies
                .get(&format!("arn:{}:s3:::{bucket}", a.partition))
        })
    }

    /// The decision on `action` on `resource` by `principal` (a user or role
    /// of the snapshot), with the resource's policy if the snapshot holds one,
    /// in an open context that knows only the principal's own keys: the
    /// answer is `conditional` when it depends on keys a real request would
    /// carry (a source IP, a guardrail, a tag on the resource).
    pub fn decide(
        &self,
        principal: &str,
        action: &str,
        resource: &str,
    ) -> Result<crate::authorize::Decision, QueryError> {
        let id = self
            .identity(principal)
            .ok_or_else(|| QueryError::UnknownPrincipal(principal.to_owned()))?;
        let req =
            crate::authorize::Request::new(&id.arn, action, resource, None, self.context_for(id))?;
        let set = self.policy_set(Some(id), self.resource_policy(resource).map(|p| p.as_ref()));
        Ok(crate::authorize::authorize(&req, &set))
    }

    /// The decision on `action` on `resource`, a resource of another
    /// account (`owner`, its snapshot), by `principal` (a user or role of
    /// this snapshot). AWS evaluates a cross-account request on both sides:
    /// this account's identity policies, permission boundary and SCPs must
    /// allow it, and so must the owner's resource policy, within the
    /// owner's RCPs ("Cross-account policy evaluation logic", IAM User
    /// Guide). Without a resource policy on the owner's side it is
    /// implicitly denied.
    pub fn decide_across(
        &self,
        owner: &AccountSnapshot,
        principal: &str,
        action: &str,
        resource: &str,
    ) -> Result<crate::authorize::Decision, QueryError> {
        let id = self
            .identity(principal)
            .ok_or_else(|| QueryError::UnknownPrincipal(principal.to_owned()))?;
        let req = crate::authorize::Request::new(
            &id.arn,
            action,
            resource,
            Some(&owner.account),
            self.context_for(id),
        )?;
        let mut set = self.policy_set(
            Some(id),
            owner.resource_policy(resource).map(|p| p.as_ref()),
        );
        set.rcps = owner.policy_set(None, None).rcps;
        Ok(crate::authorize::authorize(&req, &set))
    }

    pub(super) fn policy_set<'a>(
        &'a self,
        id: Option<&'a Identity>,
        resource: Option<&'a Policy>,
    ) -> PolicySet<'a> {
        let org = self.organization.as_ref();
        let levels = |l: &'a [Vec<Arc<Policy>>]| -> Vec<Vec<&'a Policy>> {
            l.iter()
                .map(|lv| lv.iter().map(|p| p.as_ref()).collect())
                .collect()
        };
        PolicySet {
            identity: id
                .map(|i| i.policies.iter().map(|(_, p)| p.as_ref()).collect())
                .unwrap_or_default(),
            resource,
            boundary: id.and_then(|i| i.boundary.as_ref().map(|(_, p)| p.as_ref())),
            session: Vec::new(),
            scps: org.map(|o| levels(&o.scps)).unwrap_or_default(),
            rcps: org.map(|o| levels(&o.rcps)).unwrap_or_default(),
            management_account: org.and_then(|o| o.management_account.as_deref()),
        }
    }

    pub(super) fn context_for(&self, id: &Identity) -> Context {
        let mut ctx = Context::open();
        for (k, v) in &id.tags {
            ctx.insert(&format!("aws:PrincipalTag/{k}"), v.clone());
        }
        if let Some(org) = self.organization.as_ref().and_then(|o| o.id.clone()) {
            ctx.insert("aws:PrincipalOrgID", org);
        }
        ctx
    }
}
