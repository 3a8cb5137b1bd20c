"""Deploys the member-account template the way a StackSet does: one stack per
region of one account (here us-east-1, the default GlobalResourcesRegion, then
eu-west-1), in moto's in-process AWS. Every stack must complete, the IAM roles
must exist once, and every region's forwarding rules must target the one
forwarding role. Run with the emulator virtualenv's Python (it has moto and
boto3): infra/lint.sh does."""

import json
import sys
from pathlib import Path

import boto3
from moto import mock_aws

REGIONS = ["us-east-1", "eu-west-1"]
TEMPLATE = Path(__file__).with_name("member-account.json")
PARAMS = [
    {"ParameterKey": "CentralAccountId", "ParameterValue": "999999999999"},
    {"ParameterKey": "ExternalId", "ParameterValue": "example-external-id"},
    {
        "ParameterKey": "CentralEventBusArn",
        "ParameterValue": "arn:aws:events:us-east-1:999999999999:event-bus/aispm",
    },
]


def fail(msg: str) -> None:
    print(f"stackset check: {msg}", file=sys.stderr)
    sys.exit(1)


def deploy(body: str, params: list) -> dict:
    """Deploys the stack in every region (first GlobalResourcesRegion) and
    returns the account's roles by name."""
    for region in REGIONS:
        cf = boto3.client("cloudformation", region_name=region)
        try:
            cf.create_stack(
                StackName="aispm-member",
                TemplateBody=body,
                Parameters=params,
                Capabilities=["CAPABILITY_NAMED_IAM"],
            )
        except Exception as e:  # the service's answer is the finding
            fail(f"{region}: stack not created: {e}")
        stack = cf.describe_stacks(StackName="aispm-member")["Stacks"][0]
        if stack["StackStatus"] != "CREATE_COMPLETE":
            fail(f"{region}: {stack['StackStatus']} {stack.get('StackStatusReason')}")
    return {r["RoleName"]: r["Arn"] for r in boto3.client("iam").list_roles()["Roles"]}


def remediator_only_when_enabled(body: str) -> None:
    """With EnableRemediation=true the remediator role exists once, trusted
    only by the remediate function's role."""
    with mock_aws():
        enabled = PARAMS + [{"ParameterKey": "EnableRemediation", "ParameterValue": "true"}]
        roles = deploy(body, enabled)
        if sorted(roles) != ["aispm-event-forwarder", "aispm-remediator", "aispm-scanner"]:
            fail(f"with EnableRemediation=true expected three roles, got {sorted(roles)}")
        trust = boto3.client("iam").get_role(RoleName="aispm-remediator")["Role"][
            "AssumeRolePolicyDocument"
        ]
        principals = trust["Statement"][0]["Principal"]["AWS"]
        if principals != ["arn:aws:iam::999999999999:role/aispm-remediate"]:
            fail(f"the remediator role trusts {principals}")


def main() -> None:
    body = TEMPLATE.read_text()
    remediator_only_when_enabled(body)
    rules_in_template = sum(
        1
        for r in json.loads(body)["Resources"].values()
        if r["Type"] == "AWS::Events::Rule"
    )
    with mock_aws():
        roles = deploy(body, PARAMS)
        for name in ["aispm-scanner", "aispm-event-forwarder"]:
            if name not in roles:
                fail(f"role {name} missing (roles: {sorted(roles)})")
        if len(roles) != 2:
            fail(f"expected the two roles once, got {sorted(roles)}")
        for region in REGIONS:
            events = boto3.client("events", region_name=region)
            rules = events.list_rules()["Rules"]
            if len(rules) != rules_in_template:
                fail(f"{region}: {len(rules)} rules, expected {rules_in_template}")
            for r in rules:
                for t in events.list_targets_by_rule(Rule=r["Name"])["Targets"]:
                    if t.get("RoleArn") != roles["aispm-event-forwarder"]:
                        fail(f"{region}: rule {r['Name']} targets role {t.get('RoleArn')}")
    print(
        f"stackset check: member-account.json deploys to {', '.join(REGIONS)}: "
        f"2 roles once, {rules_in_template} forwarding rules per region; "
        "the remediator role only with EnableRemediation=true"
    )


if __name__ == "__main__":
    main()
