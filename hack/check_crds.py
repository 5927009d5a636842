#!/usr/bin/env python3
"""Checks that the CRD manifests in crds/ are sound and agree with the Swift model.

- kubernetes-validate accepts both CRD manifests (strict, against KUBE_VERSION);
- both CRDs carry the identical openAPIV3Schema, which is structural and has a
  description on every node;
- the schema's field sets, enums and defaults equal the ones in
  Sources/Shared/Model (MappingDecoder.swift, MetricMapping.swift);
- every x-kubernetes-validations rule (and messageExpression) found anywhere in
  either schema compiles;
- every example in crds/examples/ and every file in hack/testdata/crd-valid/ is
  accepted by the schema, including the CEL rules;
- every file in hack/testdata/crd-invalid/ is rejected, with the message named on
  its first line (`# expect: <text>`);
- every rule is evaluated at least once on an accepted document and rejects at
  least one invalid fixture, so a new rule cannot go untested.

CEL: the x-kubernetes-validations rules are compiled and evaluated by cel-python
(`celpy`, PyPI cel-python), a real CEL implementation, not by Python stand-ins
that could drift from the rule text. As kube-apiserver does, defaults are applied
first, then each rule runs wherever its schema node is present in the object,
with `self` bound to the value at that node converted by the node's schema
(object -> map of its known properties, array -> list, `number` -> double even
when written 2, `integer` -> int, string formats date-time/date -> timestamp,
duration -> duration, byte -> bytes); see UnstructuredToVal in
k8s.io/apiserver/pkg/cel/common/valuesunstructured.go.

Where celpy differs from cel-go (which kube-apiserver runs) on what our rules
use, the binding below (CEL_FUNCTIONS) restores cel-go's behaviour:
- duration(string): cel-go parses with Go's time.ParseDuration into an exact
  int64 of nanoseconds (cel-go common/types/string.go). celpy sums float
  seconds into a microsecond timedelta, rejects "0" and "µs"/"μs", accepts
  "d" and out-of-range values, and loses precision:
  duration('1.001s').getMilliseconds() is 1000 in celpy but 1001 in cel-go.
  GoDuration below is a port of time.ParseDuration on exact nanoseconds.
- getMilliseconds/getSeconds/getMinutes/getHours on a duration: the whole
  duration in that unit, truncated toward zero (cel-go
  DurationGetMilliseconds = time.Duration.Milliseconds()); exact on GoDuration.
- <, <=, >, >= between int, uint and double: kube-apiserver enables cel-go's
  CrossTypeNumericComparisons (k8s.io/apiserver/pkg/cel/environment/base.go,
  since 1.28), so `self.replicas < 2.5` is valid; celpy has no such overload.
- ==, != between int and double: not bridged. cel-go's type checker declares
  them on (A, A) only, so kube-apiserver rejects e.g. `self != 0` on a `number`
  field when the CRD is applied; celpy reports "no matching overload" when the
  rule runs, which fails this check too (write `self != 0.0`).
Not modelled (no rule uses them; a rule that does fails here with an
"undeclared reference" or similar error rather than passing silently): the
Kubernetes CEL libraries (quantity, isSorted, url, ...), optional types, cost
limits, set/map list-type equality, transition rules (oldSelf).

Exits 0 when everything holds, 1 otherwise, printing every failure.
Needs: pip install jsonschema PyYAML kubernetes-validate cel-python
"""
import copy
import datetime
import decimal
import operator
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
VALID_FIXTURES = ROOT / "hack" / "testdata" / "crd-valid"
INVALID_FIXTURES = ROOT / "hack" / "testdata" / "crd-invalid"
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


try:
    import celpy
    from celpy import celtypes
except ImportError:
    celpy = None


# --- Go durations, as cel-go's duration() parses them ---------------------------

_NS_UNITS = {
    "ns": 1, "us": 1_000, "\u00b5s": 1_000, "\u03bcs": 1_000,  # µs: micro sign and Greek mu, as Go
    "ms": 1_000_000, "s": 1_000_000_000, "m": 60_000_000_000, "h": 3_600_000_000_000,
}
_MAX_NS = (1 << 63) - 1


def _is_digit(char):
    return "0" <= char <= "9"


def go_parse_duration(text):
    """Nanoseconds, exactly as Go's time.ParseDuration computes them (time/format.go)."""
    original, rest, negative = text, text, False
    if rest[:1] in ("-", "+"):
        negative, rest = rest[0] == "-", rest[1:]
    if rest == "0":
        return 0
    if not rest:
        raise ValueError(f"time: invalid duration {original!r}")
    total = 0
    while rest:
        if not (rest[0] == "." or _is_digit(rest[0])):
            raise ValueError(f"time: invalid duration {original!r}")
        index, whole = 0, 0
        while index < len(rest) and _is_digit(rest[index]):
            whole = whole * 10 + int(rest[index])
            if whole > 1 << 63:
                raise ValueError(f"time: invalid duration {original!r}")
            index += 1
        leading = index > 0
        rest = rest[index:]
        fraction, scale, trailing = 0, 1.0, False
        if rest[:1] == ".":
            rest, index, overflow = rest[1:], 0, False
            while index < len(rest) and _is_digit(rest[index]):
                if not overflow:
                    grown = fraction * 10 + int(rest[index])
                    if fraction > _MAX_NS // 10 or grown > 1 << 63:
                        overflow = True  # Go ignores the digits past int64 precision
                    else:
                        fraction, scale = grown, scale * 10
                index += 1
            trailing = index > 0
            rest = rest[index:]
        if not leading and not trailing:
            raise ValueError(f"time: invalid duration {original!r}")
        index = 0
        while index < len(rest) and not (rest[index] == "." or _is_digit(rest[index])):
            index += 1
        if index == 0:
            raise ValueError(f"time: missing unit in duration {original!r}")
        unit = _NS_UNITS.get(rest[:index])
        if unit is None:
            raise ValueError(f"time: unknown unit {rest[:index]!r} in duration {original!r}")
        rest = rest[index:]
        if whole > (1 << 63) // unit:
            raise ValueError(f"time: invalid duration {original!r}")
        value = whole * unit
        if fraction > 0:
            # Go adds the fraction through float64 (nanosecond-exact up to hours); so does Python.
            value += int(float(fraction) * (float(unit) / scale))
            if value > 1 << 63:
                raise ValueError(f"time: invalid duration {original!r}")
        total += value
        if total > 1 << 63:
            raise ValueError(f"time: invalid duration {original!r}")
    if negative:
        return -total
    if total > _MAX_NS:
        raise ValueError(f"time: invalid duration {original!r}")
    return total


def _truncating_div(value, divisor):
    quotient = abs(value) // divisor
    return quotient if value >= 0 else -quotient


if celpy is not None:
    class GoDuration(celtypes.DurationType):
        """A CEL duration as cel-go holds it: Go's time.Duration, an exact int64 of nanoseconds.

        celpy's DurationType is a float-built timedelta (microseconds); this subclass keeps
        the timedelta for interoperation (timestamp arithmetic) and compares, adds and
        answers getMilliseconds() & co. on the exact nanoseconds.
        """

        def __new__(cls, nanoseconds):
            if not -(1 << 63) <= nanoseconds <= _MAX_NS:
                raise ValueError("duration out of range (integer overflow)")
            self = datetime.timedelta.__new__(cls, microseconds=_truncating_div(nanoseconds, 1000))
            self.nanoseconds = nanoseconds
            return self

        @staticmethod
        def _nanos(other):
            if isinstance(other, GoDuration):
                return other.nanoseconds
            if isinstance(other, datetime.timedelta):
                return ((other.days * 86_400 + other.seconds) * 1_000_000 + other.microseconds) * 1000
            return None

        def _compare(self, other, op):
            nanos = self._nanos(other)
            return NotImplemented if nanos is None else op(self.nanoseconds, nanos)

        def __eq__(self, other):
            return self._compare(other, operator.eq)

        def __ne__(self, other):
            return self._compare(other, operator.ne)

        def __lt__(self, other):
            return self._compare(other, operator.lt)

        def __le__(self, other):
            return self._compare(other, operator.le)

        def __gt__(self, other):
            return self._compare(other, operator.gt)

        def __ge__(self, other):
            return self._compare(other, operator.ge)

        def __hash__(self):
            return hash(self.nanoseconds)

        def __neg__(self):
            return GoDuration(-self.nanoseconds)

        def __add__(self, other):
            nanos = self._nanos(other)
            return super().__add__(other) if nanos is None else GoDuration(self.nanoseconds + nanos)

        __radd__ = __add__

        def __sub__(self, other):
            nanos = self._nanos(other)
            return super().__sub__(other) if nanos is None else GoDuration(self.nanoseconds - nanos)

        def getMilliseconds(self, tz_name=None):
            return celtypes.IntType(_truncating_div(self.nanoseconds, 1_000_000))

        def getSeconds(self, tz_name=None):
            return celtypes.IntType(_truncating_div(self.nanoseconds, 1_000_000_000))

        def getMinutes(self, tz_name=None):
            return celtypes.IntType(_truncating_div(self.nanoseconds, 60_000_000_000))

        def getHours(self, tz_name=None):
            return celtypes.IntType(_truncating_div(self.nanoseconds, 3_600_000_000_000))

        def __str__(self):
            # cel-go: strconv.FormatFloat(d.Seconds(), 'f', -1, 64) + "s"
            seconds = float(_truncating_div(self.nanoseconds, 10**9)) + float(
                self.nanoseconds - _truncating_div(self.nanoseconds, 10**9) * 10**9) / 1e9
            return format(decimal.Decimal(repr(seconds)).normalize(), "f") + "s"

        def __repr__(self):
            return f"GoDuration({self})"

    def cel_duration(value):
        """duration() as cel-go has it: string -> time.ParseDuration, duration -> itself."""
        if isinstance(value, celtypes.DurationType):
            return value if isinstance(value, GoDuration) else GoDuration(GoDuration._nanos(value))
        if isinstance(value, celtypes.StringType):
            return GoDuration(go_parse_duration(str(value)))
        raise TypeError(f"no such overload: duration({type(value).__name__})")

    _NUMBERS = (celtypes.IntType, celtypes.UintType, celtypes.DoubleType)

    def _plain_number(value):
        return float(value) if isinstance(value, celtypes.DoubleType) else int(value)

    def _cross_type_ordering(op, celpy_function):
        """<, <=, >, >= across int/uint/double (cel-go CrossTypeNumericComparisons, on in
        kube-apiserver); same-type and non-numeric operands keep celpy's own overloads."""

        def compare(left, right):
            if (isinstance(left, _NUMBERS) and isinstance(right, _NUMBERS)
                    and type(left) is not type(right)):
                # Python compares int with float exactly; NaN compares false, as in cel-go.
                return celtypes.BoolType(op(_plain_number(left), _plain_number(right)))
            return celpy_function(left, right)

        return compare

    from celpy import evaluation as _evaluation

    CEL_FUNCTIONS = {
        "duration": cel_duration,
        "_<_": _cross_type_ordering(operator.lt, _evaluation.bool_lt),
        "_<=_": _cross_type_ordering(operator.le, _evaluation.bool_le),
        "_>_": _cross_type_ordering(operator.gt, _evaluation.bool_gt),
        "_>=_": _cross_type_ordering(operator.ge, _evaluation.bool_ge),
    }


def duration_ms(text):
    return _truncating_div(go_parse_duration(text), 1_000_000)


# --- CEL rules: compiled once per schema node, evaluated by celpy ---------------

class CompiledRule:
    def __init__(self, path, rule, program, message_program):
        self.path, self.rule, self.program, self.message_program = path, rule, program, message_program
        self.key = (path, rule["rule"])

    @property
    def message(self):
        # ruleErrorString in k8s.io/apiextensions-apiserver/pkg/apiserver/schema/cel/validation.go
        return (self.rule.get("message") or "").strip() or f"failed rule: {self.rule['rule']}"


# (schema path, rule text) -> evaluation counts: accepted / rejected on good documents
# (examples, crd-valid), accepted_in_invalid / rejected_in_invalid on crd-invalid fixtures.
rule_outcomes = {}


def walk_all(schema, path):
    """Every schema node, including additionalProperties (walk() below covers properties/items)."""
    yield path, schema
    for name, sub in schema.get("properties", {}).items():
        yield from walk_all(sub, f"{path}.{name}")
    if isinstance(schema.get("items"), dict):
        yield from walk_all(schema["items"], f"{path}[]")
    if isinstance(schema.get("additionalProperties"), dict):
        yield from walk_all(schema["additionalProperties"], f"{path}[*]")


def compile_rules(kind, schema, environment):
    """{schema path: [CompiledRule]} for every x-kubernetes-validations in the schema."""
    compiled = {}
    for path, node in walk_all(schema, ""):
        for rule in node.get("x-kubernetes-validations", []):
            where = f"{kind} schema {path or '<root>'}: rule {rule.get('rule')!r}"
            text = rule.get("rule")
            if not isinstance(text, str) or not text.strip():
                failures.append(f"{where}: a rule needs a non-empty rule text")
                continue
            if re.search(r"\boldSelf\b", text):
                failures.append(f"{where}: transition rules (oldSelf) need an old object; "
                                "check_crds.py cannot evaluate them yet, extend it first")
                continue
            try:
                program = environment.program(environment.compile(text), functions=CEL_FUNCTIONS)
                message_program = None
                if rule.get("messageExpression"):
                    message_program = environment.program(
                        environment.compile(rule["messageExpression"]), functions=CEL_FUNCTIONS)
            except celpy.CELParseError as error:
                failures.append(f"{where}: does not compile: {error}")
                continue
            check(True, "")
            compiled.setdefault(path, []).append(CompiledRule(path, rule, program, message_program))
            rule_outcomes.setdefault((path, text), {"evaluated": 0})
    return compiled


def to_cel(schema, value, root=False):
    """The CEL value kube-apiserver binds for `value` at this schema node (UnstructuredToVal)."""
    if value is None:
        if schema.get("nullable"):
            return None
        raise ValueError("invalid data, got null for schema with nullable=false")
    if schema.get("x-kubernetes-int-or-string"):
        if isinstance(value, str):
            return celtypes.StringType(value)
        if isinstance(value, int) and not isinstance(value, bool):
            return celtypes.IntType(value)
        raise ValueError("invalid data, expected XIntOrString value to be either a string or integer")
    kind = schema.get("type")
    if kind == "object":
        if not isinstance(value, dict):
            raise ValueError("invalid data, expected a map for the provided schema with type=object")
        properties = schema.get("properties")
        if root and isinstance(value.get("metadata"), dict):
            # At the root, metadata exposes only name and generateName (WithTypeAndObjectMeta).
            meta_schema = {"type": "object", "properties": {"name": {"type": "string"},
                                                            "generateName": {"type": "string"}}}
            properties = dict(properties or {}, metadata=meta_schema)
        if properties is not None:
            return celtypes.MapType({celtypes.StringType(k): to_cel(properties[k], v)
                                     for k, v in value.items() if k in properties})
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict):
            return celtypes.MapType({celtypes.StringType(k): to_cel(extra, v) for k, v in value.items()})
        if schema.get("x-kubernetes-preserve-unknown-fields") or extra is True:
            return celpy.json_to_cel(value)
        return celtypes.MapType({})
    if kind == "array":
        if not isinstance(value, list):
            raise ValueError("invalid data, expected an array for the provided schema with type=array")
        return celtypes.ListType([to_cel(schema["items"], item) for item in value])
    if kind == "string":
        if not isinstance(value, str):
            raise ValueError(f"invalid data, expected string, got {type(value).__name__}")
        fmt = schema.get("format")
        if fmt == "date-time":
            return celtypes.TimestampType(value)
        if fmt == "date":
            return celtypes.TimestampType(datetime.datetime.strptime(value, "%Y-%m-%d")
                                          .replace(tzinfo=datetime.timezone.utc))
        if fmt == "duration":
            return GoDuration(go_parse_duration(value))
        if fmt == "byte":
            import base64
            return celtypes.BytesType(base64.b64decode(value, validate=True))
        return celtypes.StringType(value)
    if kind == "number":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError(f"invalid data, expected float, got {type(value).__name__}")
        return celtypes.DoubleType(float(value))  # 2 in YAML is still a double here
    if kind == "integer":
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"invalid data, expected int, got {type(value).__name__}")
        return celtypes.IntType(value)
    if kind == "boolean":
        if not isinstance(value, bool):
            raise ValueError(f"invalid data, expected bool, got {type(value).__name__}")
        return celtypes.BoolType(value)
    if schema.get("x-kubernetes-preserve-unknown-fields"):
        return celpy.json_to_cel(value)
    raise ValueError(f"invalid type {kind!r} for CEL")


def run_program(program, activation):
    result = program.evaluate(activation)
    if isinstance(result, celpy.CELEvalError):
        raise result
    return result


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


def cel_errors(schema, rules, value, path, schema_path, origin, root=False):
    """Runs the rules of every schema node present in `value`, as kube-apiserver does."""
    errors = []
    node_rules = rules.get(schema_path, [])
    if node_rules:
        where = path or "<root>"
        try:
            activation = {"self": to_cel(schema, value, root=root)}
        except (ValueError, TypeError) as error:
            return [f"{where}: {error}"]
        for compiled in node_rules:
            outcome = rule_outcomes[compiled.key]
            outcome["evaluated"] += 1
            try:
                result = run_program(compiled.program, activation)
            except (celpy.CELEvalError, ValueError, TypeError, KeyError) as error:
                errors.append(f"{where}: {cel_error_text(error)} evaluating rule: {compiled.message}")
                continue
            if not isinstance(result, celtypes.BoolType):
                errors.append(f"{where}: rule {compiled.rule['rule']!r} returned {result!r}, not a bool")
                continue
            outcome_name = ("accepted" if result else "rejected") + ("" if origin == "good" else f"_in_{origin}")
            outcome[outcome_name] = outcome.get(outcome_name, 0) + 1
            if result:
                continue
            message = compiled.message
            if compiled.message_program is not None:
                try:
                    text = run_program(compiled.message_program, activation)
                    if isinstance(text, celtypes.StringType) and text.strip():
                        message = str(text)
                except (celpy.CELEvalError, ValueError, TypeError, KeyError):
                    pass  # kube-apiserver falls back to message / the rule text
            field = compiled.rule.get("fieldPath", "")
            errors.append(f"{where}{field}: {message}")
    if isinstance(value, dict):
        for name, sub in schema.get("properties", {}).items():
            if name in value:
                errors += cel_errors(sub, rules, value[name], f"{path}.{name}", f"{schema_path}.{name}", origin)
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict):
            for name, item in value.items():
                errors += cel_errors(extra, rules, item, f"{path}.{name}", f"{schema_path}[*]", origin)
    elif isinstance(value, list) and isinstance(schema.get("items"), dict):
        for index, item in enumerate(value):
            errors += cel_errors(schema["items"], rules, item, f"{path}[{index}]", f"{schema_path}[]", origin)
    return errors


def cel_error_text(error):
    if isinstance(error, celpy.CELEvalError) and error.args:
        detail = error.args[0]
        if len(error.args) > 2 and error.args[2]:
            detail = f"{detail}: {error.args[2][0] if isinstance(error.args[2], tuple) else error.args[2]}"
        return str(detail)
    return f"{type(error).__name__}: {error}"


def schema_errors(schema, rules, document, origin):
    """Every problem the API server would report for `document` (spec and status)."""
    document = copy.deepcopy(document)
    apply_defaults(schema, document)
    validator = jsonschema.Draft7Validator(schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)
    errors = [
        f"{'.'.join(str(p) for p in error.absolute_path) or '<root>'}: {error.message}"
        for error in validator.iter_errors(document)
    ]
    if not errors:
        errors = cel_errors(schema, rules, document, "", "", origin, root=True)
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

def celpy_version():
    try:
        from importlib.metadata import version
        return version("cel-python")
    except Exception:  # only for the summary line
        return "?"


def load_documents(path):
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc is not None]


def check_accepted(path, schemas, rules):
    documents = load_documents(path)
    check(bool(documents), f"{path.name}: holds no document")
    for document in documents:
        kind = document.get("kind")
        if kind not in schemas:
            failures.append(f"{path.name}: unknown kind {kind!r}")
            continue
        errors = schema_errors(schemas[kind], rules[kind], document, "good")
        check(not errors, f"{path.relative_to(ROOT)}: rejected by the CRD schema: {errors}")


def main():
    if celpy is None:
        print("check_crds: cel-python is not installed (pip install cel-python)")
        return 1
    try:
        import kubernetes_validate
    except ImportError:
        print("check_crds: kubernetes-validate is not installed (pip install kubernetes-validate)")
        return 1

    environment = celpy.Environment()
    schemas, rules = {}, {}
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
        rules[kind] = compile_rules(kind, schemas[kind], environment)
    check(schemas["SysdigMetricMapping"] == schemas["ClusterSysdigMetricMapping"],
          "the two CRDs must carry the same openAPIV3Schema")
    check_swift_agreement(schemas["SysdigMetricMapping"])

    examples = sorted((ROOT / "crds" / "examples").glob("*.yaml"))
    valid = sorted(VALID_FIXTURES.glob("*.yaml"))
    invalid = sorted(INVALID_FIXTURES.glob("*.yaml"))
    check(bool(valid), f"{VALID_FIXTURES.relative_to(ROOT)}: no fixtures")
    for path in examples + valid:
        check_accepted(path, schemas, rules)

    for path in invalid:
        first = path.read_text().splitlines()[0]
        expected = first.removeprefix("# expect:").strip()
        check(first.startswith("# expect:") and expected, f"{path.name}: first line must be '# expect: <text>'")
        for document in load_documents(path):
            kind = document.get("kind")
            if kind not in schemas:
                failures.append(f"{path.name}: unknown kind {kind!r}")
                continue
            errors = schema_errors(schemas[kind], rules[kind], document, "invalid")
            check(any(expected in error for error in errors),
                  f"{path.name}: expected a rejection containing {expected!r}, got {errors or 'no error'}")

    # Every rule ran on an accepted document and turned down at least one invalid fixture
    # (the two CRDs share their schema, so a rule counts once for both).
    for (path, text), outcome in sorted(rule_outcomes.items()):
        where = f"rule {text!r} at {path or '<root>'}"
        check(outcome.get("accepted", 0) > 0,
              f"{where} never accepted an example or crd-valid fixture: add one that sets {path or 'the object'}")
        check(outcome.get("rejected_in_invalid", 0) > 0,
              f"{where} rejects no file in hack/testdata/crd-invalid: add one with '# expect: <its message>'")

    compiled_count = sum(len(node) for kind_rules in rules.values() for node in kind_rules.values())
    evaluations = sum(outcome["evaluated"] for outcome in rule_outcomes.values())
    print(f"check_crds: CEL (cel-python {celpy_version()}): {compiled_count} rules compiled "
          f"({len(rule_outcomes)} distinct), {evaluations} evaluations over {len(examples)} examples, "
          f"{len(valid)} valid and {len(invalid)} invalid fixtures")
    for failure in failures:
        print(f"FAIL {failure}")
    print(f"check_crds: {passes} checks ok, {len(failures)} failing")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
