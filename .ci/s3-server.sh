#!/usr/bin/env bash
# Installs the S3-compatible server that the store package's tests start on
# loopback: versitygw (Apache-2.0), built from the Go module proxy into
# $(go env GOPATH)/bin. Run it before `go test`; it does nothing when that
# version is already installed. The tests find the binary through
# $SHARECARD_S3_SERVER, then PATH, then $(go env GOPATH)/bin.
set -euo pipefail

version=v1.8.0
bin="$(go env GOPATH)/bin/versitygw"

if [ -x "$bin" ] && go version -m "$bin" 2>/dev/null | grep -Eq "^[[:space:]]+mod[[:space:]]+github.com/versity/versitygw[[:space:]]+$version([[:space:]]|$)"; then
  echo "versitygw $version already installed at $bin"
  exit 0
fi
echo "installing versitygw $version (takes a few minutes the first time)"
go install "github.com/versity/versitygw/cmd/versitygw@$version"
go version -m "$bin" | sed -n 2,3p
