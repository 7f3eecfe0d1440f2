#!/usr/bin/env bash
# Regenerates Sources/MMSCore/Wire/*.pb.swift from proto/. The output is committed, so builds
# and CI never run protoc. Needs `protoc` (apt: protobuf-compiler) and protoc-gen-swift built
# from the swift-protobuf version Package.swift names:
#   git clone <swift-protobuf> && swift build -c release --product protoc-gen-swift
set -euo pipefail
cd "$(dirname "$0")/.."
plugin=${PROTOC_GEN_SWIFT:-$(command -v protoc-gen-swift)}
protoc --plugin=protoc-gen-swift="$plugin" --swift_out=Sources/MMSCore/Wire \
  --proto_path=proto proto/*.proto
