#!/usr/bin/env bash
# Renders an overlay: deploy/kubernetes/render.sh dev|production | kubectl apply -f -
# The load restrictor is off because the supergraph ConfigMap is generated from
# schema/supergraph.graphql, which lives outside deploy/kubernetes (one source of truth).
set -euo pipefail
overlay="${1:?usage: render.sh dev|production}"
here="$(cd "$(dirname "$0")" && pwd)"
command -v kubectl >/dev/null || { echo "kubectl is not installed (needed for kustomize)" >&2; exit 1; }
exec kubectl kustomize --load-restrictor LoadRestrictionsNone "$here/overlays/$overlay"
