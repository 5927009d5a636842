#!/usr/bin/env bash
# The serving certificate without cert-manager: makes a CA and a certificate
# for the adapter's Service names with openssl, stores them in the Secret the
# Deployment mounts (sysdig-adapter-serving-cert: tls.crt, tls.key, ca.crt),
# and patches the CA into the APIServices' caBundle.
#
#   hack/gen-serving-cert.sh                  # create/replace the Secret, patch APIServices
#   hack/gen-serving-cert.sh --out DIR        # also keep the files in DIR; a CA already
#                                             # in DIR (ca.crt + ca.key) is reused, so a
#                                             # renewal leaves caBundle unchanged
#   hack/gen-serving-cert.sh --print-only --out DIR   # files only, no cluster: prints the caBundle
#
# Options: --namespace NS (sysdig-metrics), --service NAME (sysdig-adapter),
# --secret NAME (sysdig-adapter-serving-cert), --days N (365), --context CTX.
# The adapter re-reads the mounted files when the Secret changes; renew before
# the certificate expires (openssl x509 -enddate -noout -in DIR/tls.crt).
set -euo pipefail

namespace=sysdig-metrics
service=sysdig-adapter
secret=sysdig-adapter-serving-cert
days=365
out=""
print_only=0
kubectl_args=()
apiservices=(v1beta1.custom.metrics.k8s.io v1beta2.custom.metrics.k8s.io v1beta1.external.metrics.k8s.io)

usage() { sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }
while [[ $# -gt 0 ]]; do
    case "$1" in
        --namespace) namespace=$2; shift 2 ;;
        --service) service=$2; shift 2 ;;
        --secret) secret=$2; shift 2 ;;
        --days) days=$2; shift 2 ;;
        --out) out=$2; shift 2 ;;
        --context) kubectl_args+=(--context "$2"); shift 2 ;;
        --print-only) print_only=1; shift ;;
        -h|--help) usage 0 ;;
        *) echo "gen-serving-cert: unknown argument $1" >&2; usage 2 ;;
    esac
done
if [[ $print_only -eq 1 && -z "$out" ]]; then
    echo "gen-serving-cert: --print-only needs --out DIR" >&2
    exit 2
fi

if [[ -z "$out" ]]; then
    out=$(mktemp -d)
    trap 'rm -rf "$out"' EXIT
fi
mkdir -p "$out"
umask 077

if [[ -f "$out/ca.crt" && -f "$out/ca.key" ]]; then
    echo "gen-serving-cert: reusing the CA in $out" >&2
else
    openssl req -x509 -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
        -keyout "$out/ca.key" -out "$out/ca.crt" -days 3650 -subj "/CN=$service-ca" \
        -addext "basicConstraints=critical,CA:TRUE" \
        -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
fi

# kube-apiserver verifies the name <service>.<namespace>.svc
# (docs/aggregation-layer.md, "How kube-apiserver proxies a request").
sans="DNS:$service,DNS:$service.$namespace,DNS:$service.$namespace.svc,DNS:$service.$namespace.svc.cluster.local"
openssl req -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
    -keyout "$out/tls.key" -out "$out/tls.csr" -subj "/CN=$service.$namespace.svc" 2>/dev/null
openssl x509 -req -in "$out/tls.csr" -CA "$out/ca.crt" -CAkey "$out/ca.key" -CAcreateserial \
    -out "$out/tls.crt" -days "$days" -sha256 \
    -extfile <(printf '%s\n' \
        "basicConstraints=critical,CA:FALSE" \
        "keyUsage=critical,digitalSignature" \
        "extendedKeyUsage=serverAuth" \
        "subjectAltName=$sans") 2>/dev/null
rm -f "$out/tls.csr" "$out/ca.srl"
openssl verify -CAfile "$out/ca.crt" "$out/tls.crt" >/dev/null

ca_bundle=$(base64 <"$out/ca.crt" | tr -d '\n')
if [[ $print_only -eq 1 ]]; then
    echo "gen-serving-cert: wrote $out/{ca.crt,ca.key,tls.crt,tls.key}" >&2
    echo "caBundle: $ca_bundle"
    exit 0
fi

kubectl "${kubectl_args[@]}" create namespace "$namespace" --dry-run=client -o yaml \
    | kubectl "${kubectl_args[@]}" apply -f - >/dev/null
kubectl "${kubectl_args[@]}" -n "$namespace" create secret generic "$secret" \
    --type=kubernetes.io/tls \
    --from-file=tls.crt="$out/tls.crt" --from-file=tls.key="$out/tls.key" --from-file=ca.crt="$out/ca.crt" \
    --dry-run=client -o yaml | kubectl "${kubectl_args[@]}" apply -f -

for apiservice in "${apiservices[@]}"; do
    if kubectl "${kubectl_args[@]}" get apiservice "$apiservice" -o name >/dev/null 2>&1; then
        owner=$(kubectl "${kubectl_args[@]}" get apiservice "$apiservice" -o jsonpath='{.spec.service.name}')
        if [[ "$owner" != "$service" ]]; then
            echo "gen-serving-cert: $apiservice belongs to service '$owner', not $service: left alone" >&2
            continue
        fi
        kubectl "${kubectl_args[@]}" patch apiservice "$apiservice" --type merge \
            -p "{\"spec\":{\"caBundle\":\"$ca_bundle\",\"insecureSkipTLSVerify\":false}}"
    else
        echo "gen-serving-cert: $apiservice not installed (yet); run this again after kubectl apply -k" >&2
    fi
done
