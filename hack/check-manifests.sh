#!/usr/bin/env bash
# Renders the install (deploy/) with kubectl's built-in kustomize — the full
# install, the base, and the base with every combination of components — and
# the examples in deploy/examples, then validates every object
# (hack/validate_manifests.py: Kubernetes API schemas via kubernetes-validate,
# the mapping CRDs' own schemas, and the install's security rules).
#
# Needs kubectl and `pip install kubernetes-validate pyyaml jsonschema` (.ci/run).
# KUBERNETES_VERSIONS (default "1.29 1.32 1.35") picks the API schemas.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=0
for crd in crds/sysdigmetricmappings.yaml crds/clustersysdigmetricmappings.yaml; do
    if [[ ! -f "$crd" ]]; then
        echo "check-manifests: $crd is missing: deploy/ includes the CRDs through crds/kustomization.yaml" >&2
        missing=1
    fi
done
[[ $missing -eq 0 ]] || exit 1
for tool in kubectl python3; do
    command -v "$tool" >/dev/null || { echo "check-manifests: $tool not found" >&2; exit 1; }
done
python3 -c 'import kubernetes_validate, jsonschema, yaml' 2>/dev/null || {
    echo "check-manifests: pip install kubernetes-validate pyyaml jsonschema" >&2
    exit 1
}

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
failed=0

# render NAME DIR: kustomize DIR into $out/NAME.yaml and validate it.
render() {
    local name=$1 dir=$2 file
    file="$out/rendered-${name//\//_}"
    if ! kubectl kustomize "$dir" >"$file.yaml" 2>"$file.err"; then
        echo "$name: kubectl kustomize $dir failed:" >&2
        cat "$file.err" >&2
        failed=1
        return
    fi
    python3 hack/validate_manifests.py --crds crds --label "$name" "$file.yaml" || failed=1
}

render "deploy" deploy
render "deploy/base" deploy/base

# Every subset of the components on top of the base, as an overlay outside the
# tree (kustomize wants relative paths to other kustomizations).
components=(custom-metrics external-metrics cert-manager)
relative=$(python3 -c 'import os,sys; print(os.path.relpath(sys.argv[1], sys.argv[2]))' "$PWD/deploy" "$out")
for ((mask = 1; mask < 1 << ${#components[@]}; mask++)); do
    chosen=()
    for i in "${!components[@]}"; do
        if ((mask & 1 << i)); then chosen+=("${components[$i]}"); fi
    done
    combo="base+$(IFS=+; echo "${chosen[*]}")"
    mkdir -p "$out/$combo"
    {
        echo "apiVersion: kustomize.config.k8s.io/v1beta1"
        echo "kind: Kustomization"
        echo "resources: [../$relative/base]"
        echo "components:"
        for c in "${chosen[@]}"; do echo "  - ../$relative/components/$c"; done
    } >"$out/$combo/kustomization.yaml"
    render "$combo" "$out/$combo"
done

render "deploy/examples" deploy/examples
examples=()
for file in deploy/examples/*.yaml; do
    [[ $(basename "$file") == kustomization.yaml ]] || examples+=("$file")
done
python3 hack/validate_manifests.py --crds crds --label "deploy/examples/*.yaml" "${examples[@]}" || failed=1

# The adapter's own validation of the example mappings (semantics the CRD
# schema cannot express), when the binary is built (hack/test.sh builds it).
adapter=${SYSDIG_ADAPTER:-.build/debug/sysdig-adapter}
if [[ -x "$adapter" ]]; then
    python3 - "$out/example-mappings.yaml" "${examples[@]}" <<'PY'
import sys, yaml
docs = []
for path in sys.argv[2:]:
    with open(path) as handle:
        docs += [d for d in yaml.safe_load_all(handle) if d and d.get("apiVersion", "").startswith("metrics.sysdig.com/")]
with open(sys.argv[1], "w") as out:
    yaml.safe_dump_all(docs, out, sort_keys=False)
PY
    if "$adapter" validate "$out/example-mappings.yaml" >"$out/validate.log" 2>&1; then
        echo "deploy/examples mappings: sysdig-adapter validate: ok"
    else
        cat "$out/validate.log" >&2
        failed=1
    fi
else
    echo "  note: $adapter not built; skipped sysdig-adapter validate on the example mappings"
fi

# The validator itself: every document of this fixture breaks one rule and must be caught.
python3 hack/validate_manifests.py --crds crds --expect-invalid --label "self-test (invalid fixtures)" \
    hack/testdata/invalid-manifests.yaml || failed=1

if [[ $failed -ne 0 ]]; then
    echo "check-manifests: FAILED" >&2
    exit 1
fi
echo "check-manifests: all manifests valid"
