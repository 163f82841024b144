// Package deploy holds the deployment examples of sharecard: the systemd
// unit (systemd/) and the Kubernetes manifests (kubernetes/); the Dockerfile
// is at the module root, its HEALTHCHECK is `sharecard healthcheck`.
//
// It has no code of its own. Its tests build the binary as the Dockerfile
// does and check that it is static, then check every example against that
// binary: the variables they set exist, probe paths answer, and the grace
// periods cover the drain that --drain-delay and --drain-timeout allow.
package deploy
