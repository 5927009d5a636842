#!/usr/bin/env python3
"""Checks that the CRD manifests in crds/ are sound and agree with the Swift model.

- kubernetes-validate accepts both CRD manifests (strict, against KUBE_VERSION);
- both CRDs carry the identical openAPIV3Schema, which is structural and has a
  description on every node;
- the schema's field sets, enums and defaults equal the ones in
  Sources/Shared/Model (MappingDecoder.swift, MetricMapping.swift);
- every example in crds/examples/ validates against the schema, including the
  x-kubernetes-validations CEL rules (each rule has a Python equivalent below;
  a rule without one fails the check, so new rules cannot go untested);
- every file in hack/testdata/crd-invalid/ is rejected, with the message named on
  its first line (`# expect: <text>`).

Exits 0 when everything holds, 1 otherwise, printing every failure.
Needs: pip install jsonschema PyYAML kubernetes-validate
"""
import copy
import pathlib
import re
import sys

import jsonschema
import yaml

ROOT = pathlib.Path(__file__).resolve().parent.parent
CRDS = {
    "SysdigMetricMapping": ROOT / "crds" / "sysdigmetricmappings.yaml",
    "ClusterSysdigMetricMapping": ROOT / "crds" / "clustersysdigmetricmappings.yaml",
}
KUBE_VERSION = "1.33.0"
# Fields the CRD accepts that the Swift model does not decode yet (none today).
PENDING_SPEC_FIELDS = set()

failures = []
passes = 0


def check(ok, message):
    global passes
    if ok:
        passes += 1
    else:
        failures.append(message)


# --- Go durations, as duration() in CEL parses them -------------------------

_UNITS = {"ns": 1e-6, "us": 1e-3, "µs": 1e-3, "ms": 1, "s": 1000, "m": 60_000, "h": 3_600_000}
_PIECE = re.compile(r"([0-9]+(?:\.[0-9]*)?|\.[0-9]+)(ns|us|µs|ms|s|m|h)")


def duration_ms(text):
    if text == "0":
        return 0
    total, position = 0.0, 0
    while position < len(text):
        match = _PIECE.match(text, position)
        if not match:
            raise ValueError(f"invalid duration {text!r}")
        total += float(match.group(1)) * _UNITS[match.group(2)]
        position = match.end()
    if not text:
        raise ValueError("empty duration")
    return round(total)


# --- CEL rules: each rule text in the CRD maps to its Python meaning ----------

CEL_RULES = {
    "has(self.sysdig) != has(self.promql)":
        lambda s: ("sysdig" in s) != ("promql" in s),
    "(has(self.objects) && size(self.objects) > 0) || (has(self.external) && self.external)":
        lambda s: len(s.get("objects", [])) > 0 or s.get("external") is True,
    "duration(self) >= duration('10s') && duration(self) <= duration('1h')":
        lambda s: 10_000 <= duration_ms(s) <= 3_600_000,
    "duration(self).getMilliseconds() % 10000 == 0":
        lambda s: duration_ms(s) % 10_000 == 0,
    "(has(self.policy) && self.policy == 'value') == has(self.value)":
        lambda s: (s.get("policy") == "value") == ("value" in s),
    "self != 0.0":
        lambda s: s != 0,
    "duration(self) <= duration('10m') && duration(self).getMilliseconds() % 1000 == 0":
        lambda s: duration_ms(s) <= 600_000 and duration_ms(s) % 1000 == 0,
}


def apply_defaults(schema, value):
    """Structural defaulting as the API server does it, before validation."""
    if isinstance(value, dict) and "properties" in schema:
        for name, sub in schema["properties"].items():
            if name not in value and "default" in sub:
                value[name] = copy.deepcopy(sub["default"])
            if name in value:
                apply_defaults(sub, value[name])
    elif isinstance(value, list) and "items" in schema:
        for item in value:
            apply_defaults(schema["items"], item)


def cel_errors(schema, value, path):
    errors = []
    for rule in schema.get("x-kubernetes-validations", []):
        predicate = CEL_RULES.get(rule["rule"])
        if predicate is None:
            errors.append(f"{path}: CEL rule without a Python equivalent in check_crds.py: {rule['rule']}")
            continue
        try:
            ok = predicate(value)
        except (ValueError, TypeError) as error:
            ok, rule = False, {"message": f"{rule.get('message', rule['rule'])} ({error})"}
        if not ok:
            errors.append(f"{path}: {rule.get('message', rule.get('rule'))}")
    if isinstance(value, dict):
        for name, sub in schema.get("properties", {}).items():
            if name in value:
                errors += cel_errors(sub, value[name], f"{path}.{name}")
    elif isinstance(value, list) and "items" in schema:
        for index, item in enumerate(value):
            errors += cel_errors(schema["items"], item, f"{path}[{index}]")
    return errors


def schema_errors(schema, document):
    """Every problem the API server would report for `document` (spec and status)."""
    document = copy.deepcopy(document)
    apply_defaults(schema, document)
    validator = jsonschema.Draft7Validator(schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)
    errors = [
        f"{'.'.join(str(p) for p in error.absolute_path) or '<root>'}: {error.message}"
        for error in validator.iter_errors(document)
    ]
    if not errors:
        errors = cel_errors(schema, document, "")
    return errors


# --- Structure -----------------------------------------------------------------

def walk(schema, path):
    yield path, schema
    for name, sub in schema.get("properties", {}).items():
        yield from walk(sub, f"{path}.{name}")
    if "items" in schema:
        yield from walk(schema["items"], f"{path}[]")


def check_structure(kind, schema):
    check(schema.get("type") == "object", f"{kind}: the schema root must be an object")
    for path, node in walk(schema, ""):
        where = f"{kind} schema {path or '<root>'}"
        check("type" in node, f"{where}: every node needs a type (structural schema)")
        check(bool(node.get("description")), f"{where}: every node needs a description")
        for keyword in ("allOf", "anyOf", "oneOf", "not"):
            check(keyword not in node, f"{where}: {keyword} is not used by this schema")
    metadata = schema["properties"]["metadata"]
    check(set(metadata) <= {"type", "description"}, f"{kind}: metadata must not be constrained")


# --- Agreement with the Swift model -----------------------------------------------

def swift_string_list(source, name):
    match = re.search(rf"static let {name}[^=]*=\s*\[(.*?)\]", source, re.S)
    if not match:
        failures.append(f"Swift model: cannot find {name}")
        return set()
    return set(re.findall(r'"([^"]*)"', match.group(1)))


def swift_string_constant(source, name):
    match = re.search(rf'static let {name}\s*=\s*"([^"]*)"', source)
    return match.group(1) if match else None


def check_swift_agreement(schema):
    decoder = (ROOT / "Sources/Shared/Model/MappingDecoder.swift").read_text()
    model = (ROOT / "Sources/Shared/Model/MetricMapping.swift").read_text()
    spec = schema["properties"]["spec"]
    pairs = [
        ("spec", spec, "specFields"),
        ("spec.sysdig", spec["properties"]["sysdig"], "sysdigFields"),
        ("spec.objects[]", spec["properties"]["objects"]["items"], "objectFields"),
        ("spec.noData", spec["properties"]["noData"], "noDataFields"),
    ]
    for path, node, swift_name in pairs:
        swift = swift_string_list(decoder, swift_name)
        schema_fields = set(node["properties"]) - (PENDING_SPEC_FIELDS if path == "spec" else set())
        check(schema_fields == swift, f"{path}: schema fields {sorted(schema_fields)} != Swift {swift_name} {sorted(swift)}")
    sysdig = spec["properties"]["sysdig"]["properties"]
    for field, swift_name, default_name in [
        ("timeAggregation", "timeAggregations", "defaultTimeAggregation"),
        ("groupAggregation", "groupAggregations", "defaultGroupAggregation"),
    ]:
        swift = swift_string_list(model, swift_name)
        check(set(sysdig[field]["enum"]) == swift, f"spec.sysdig.{field}: enum {sysdig[field]['enum']} != Swift {sorted(swift)}")
        default = swift_string_constant(model, default_name)
        check(sysdig[field].get("default") == default, f"spec.sysdig.{field}: default != Swift {default}")
    window = re.search(r"static let defaultWindow = KubeDuration\(seconds: (\d+)\)", model)
    check(window is not None and duration_ms(spec["properties"]["window"]["default"]) == int(window.group(1)) * 1000,
          "spec.window: default differs from MappingSpec.defaultWindow")


# --- Main ---------------------------------------------------------------------------

def load_documents(path):
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc is not None]


def main():
    try:
        import kubernetes_validate
    except ImportError:
        print("check_crds: kubernetes-validate is not installed (pip install kubernetes-validate)")
        return 1

    schemas = {}
    for kind, path in CRDS.items():
        (crd,) = load_documents(path)
        try:
            kubernetes_validate.validate(crd, KUBE_VERSION, strict=True)
            check(True, "")
        except kubernetes_validate.ValidationError as error:
            failures.append(f"{path.name}: kubernetes-validate {KUBE_VERSION}: {error.message} at {list(error.path)}")
        check(crd["spec"]["names"]["kind"] == kind, f"{path.name}: names.kind is not {kind}")
        versions = crd["spec"]["versions"]
        check(sum(1 for v in versions if v.get("storage")) == 1, f"{path.name}: exactly one storage version")
        schemas[kind] = versions[0]["schema"]["openAPIV3Schema"]
        check_structure(kind, schemas[kind])
    check(schemas["SysdigMetricMapping"] == schemas["ClusterSysdigMetricMapping"],
          "the two CRDs must carry the same openAPIV3Schema")
    check_swift_agreement(schemas["SysdigMetricMapping"])

    for path in sorted((ROOT / "crds" / "examples").glob("*.yaml")):
        for document in load_documents(path):
            schema = schemas.get(document.get("kind"))
            if schema is None:
                failures.append(f"{path.name}: unknown kind {document.get('kind')!r}")
                continue
            errors = schema_errors(schema, document)
            check(not errors, f"{path.name}: rejected by the CRD schema: {errors}")

    for path in sorted((ROOT / "hack" / "testdata" / "crd-invalid").glob("*.yaml")):
        first = path.read_text().splitlines()[0]
        expected = first.removeprefix("# expect:").strip()
        check(first.startswith("# expect:") and expected, f"{path.name}: first line must be '# expect: <text>'")
        for document in load_documents(path):
            errors = schema_errors(schemas[document["kind"]], document)
            check(any(expected in error for error in errors),
                  f"{path.name}: expected a rejection containing {expected!r}, got {errors or 'no error'}")

    for failure in failures:
        print(f"FAIL {failure}")
    print(f"check_crds: {passes} checks ok, {len(failures)} failing")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
