#!/usr/bin/env python3
"""Validates rendered Kubernetes manifests (multi-document YAML).

Usage: validate_manifests.py --crds DIR --label NAME [--expect-invalid] FILE...

Every document is checked:
  * Kubernetes built-in kinds against the API schemas bundled with the
    kubernetes-validate package, strictly (unknown fields are errors), for each
    version in $KUBERNETES_VERSIONS;
  * SysdigMetricMapping / ClusterSysdigMetricMapping against the
    openAPIV3Schema of the CRDs in --crds, with unknown fields rejected the way
    the API server would prune them;
  * cert-manager kinds (Certificate, Issuer) are skipped with a note: their
    schemas ship with cert-manager, not with Kubernetes;
  * any other kind fails: an unvalidated object must be a decision, not an accident.
Plus the install's own rules: no Secrets, no insecureSkipTLSVerify, a CA for
every APIService, the adapter's pod hardened, no wildcard RBAC beyond the
HPA controller's read access to the metrics APIs.
"""
import argparse
import glob
import os
import sys

import jsonschema
import kubernetes_validate
import yaml

SKIPPED_KINDS = {
    ("cert-manager.io", "Certificate"): "cert-manager CRD; schema ships with cert-manager",
    ("cert-manager.io", "Issuer"): "cert-manager CRD; schema ships with cert-manager",
}
METRICS_GROUPS = {"custom.metrics.k8s.io", "external.metrics.k8s.io"}


def group_of(api_version):
    return api_version.split("/")[0] if "/" in api_version else ""


def closed(schema):
    """A copy of an openAPIV3Schema where objects reject unknown fields, as
    structural-schema pruning would silently drop them."""
    if isinstance(schema, list):
        return [closed(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out = {key: closed(value) for key, value in schema.items()}
    if ("properties" in out and "additionalProperties" not in out
            and not out.get("x-kubernetes-preserve-unknown-fields")):
        out["additionalProperties"] = False
    return out


def load_crd_schemas(crd_dir):
    paths = sorted(glob.glob(os.path.join(crd_dir, "*.yaml")))
    schemas = {}
    for path in paths:
        with open(path) as handle:
            for doc in yaml.safe_load_all(handle):
                if not doc or doc.get("kind") != "CustomResourceDefinition":
                    continue
                spec = doc["spec"]
                for version in spec["versions"]:
                    key = ("%s/%s" % (spec["group"], version["name"]), spec["names"]["kind"])
                    schemas[key] = closed(version["schema"]["openAPIV3Schema"])
    return schemas


def policy_problems(doc):
    kind, meta = doc.get("kind"), doc.get("metadata", {})
    name = meta.get("name", "?")
    problems = []
    if kind == "Secret":
        problems.append("Secret %s: secrets are never committed (create it with kubectl)" % name)
    if kind == "APIService":
        spec = doc.get("spec", {})
        if spec.get("insecureSkipTLSVerify"):
            problems.append("APIService %s: insecureSkipTLSVerify is forbidden; use caBundle" % name)
        if not spec.get("caBundle") and "cert-manager.io/inject-ca-from" not in meta.get("annotations", {}):
            problems.append("APIService %s: needs caBundle or cert-manager.io/inject-ca-from" % name)
    if kind in ("ClusterRole", "Role"):
        for rule in doc.get("rules", []):
            if "*" in rule.get("verbs", []):
                problems.append("%s %s: wildcard verbs" % (kind, name))
            if "*" in rule.get("resources", []) and not set(rule.get("apiGroups", [])) <= METRICS_GROUPS:
                problems.append("%s %s: wildcard resources outside the metrics APIs" % (kind, name))
            if "*" in rule.get("apiGroups", []):
                problems.append("%s %s: wildcard apiGroups" % (kind, name))
    if kind == "Deployment" and meta.get("namespace") == "sysdig-metrics":
        pod = doc["spec"]["template"]["spec"]
        if not pod.get("securityContext", {}).get("runAsNonRoot"):
            problems.append("Deployment %s: pod must set runAsNonRoot" % name)
        for container in pod.get("containers", []):
            sc = container.get("securityContext", {})
            wanted = {
                "readOnlyRootFilesystem": sc.get("readOnlyRootFilesystem") is True,
                "allowPrivilegeEscalation: false": sc.get("allowPrivilegeEscalation") is False,
                "capabilities.drop [ALL]": sc.get("capabilities", {}).get("drop") == ["ALL"],
                "no added capabilities": not sc.get("capabilities", {}).get("add"),
            }
            problems += ["Deployment %s container %s: %s" % (name, container["name"], rule)
                         for rule, ok in wanted.items() if not ok]
            for arg in container.get("args", []):
                if "token=" in arg.lower() and "token-file" not in arg.lower():
                    problems.append("Deployment %s: token passed as an argument" % name)
    return problems


def validate_doc(doc, crd_schemas, versions):
    """Returns (problems, note) for one document."""
    api_version, kind = doc.get("apiVersion", ""), doc.get("kind", "")
    what = "%s %s" % (kind, doc.get("metadata", {}).get("name", "?"))
    if (api_version, kind) in crd_schemas:
        errors = jsonschema.Draft7Validator(crd_schemas[(api_version, kind)]).iter_errors(doc)
        return ["%s: %s at %s" % (what, e.message, "/".join(map(str, e.absolute_path)) or "(root)")
                for e in errors], None
    if api_version.startswith("metrics.sysdig.com/"):
        return ["%s: no CRD in the CRD directory defines %s" % (what, api_version)], None
    reason = SKIPPED_KINDS.get((group_of(api_version), kind))
    if reason:
        return [], "skipped %s %s: %s" % (api_version, kind, reason)
    problems = []
    for version in versions:
        try:
            kubernetes_validate.validate(doc, version, strict=True)
        except kubernetes_validate.SchemaNotFoundError as error:
            problems.append("%s: %s (add it to SKIPPED_KINDS only if that is intended)" % (what, error.message))
            break
        except kubernetes_validate.ValidationError as error:
            path = "/".join(map(str, error.absolute_path)) or "(root)"
            problems.append("%s: Kubernetes %s: %s at %s" % (what, version, error.message, path))
    return problems, None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--crds", required=True)
    parser.add_argument("--label", required=True)
    parser.add_argument("--expect-invalid", action="store_true",
                        help="self-test: succeed only if every document has a problem")
    parser.add_argument("files", nargs="+")
    args = parser.parse_args()
    versions = os.environ.get("KUBERNETES_VERSIONS", "1.29 1.32 1.35").split()
    crd_schemas = load_crd_schemas(args.crds)
    problems, notes, count = [], {}, 0
    for path in args.files:
        with open(path) as handle:
            docs = [doc for doc in yaml.safe_load_all(handle) if doc]
        for doc in docs:
            count += 1
            found, note = validate_doc(doc, crd_schemas, versions)
            found += policy_problems(doc)
            if args.expect_invalid and not found:
                problems.append("%s: %s %s passed but should fail" % (
                    os.path.basename(path), doc.get("kind"), doc.get("metadata", {}).get("name")))
            elif not args.expect_invalid:
                problems += ["%s: %s" % (os.path.basename(path), p) for p in found]
            if note:
                notes[note] = notes.get(note, 0) + 1
    for note in sorted(notes):
        print("  note: %s (%d objects)" % (note, notes[note]))
    for problem in problems:
        print("  error: %s" % problem, file=sys.stderr)
    status = "FAILED" if problems else "ok"
    print("%s: %d objects, Kubernetes %s: %s" % (args.label, count, ", ".join(versions), status))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
