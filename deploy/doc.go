// Package deploy holds no code: it is the home of credgen's Dockerfile and
// Kubernetes manifests, and of the test that checks them against each other
// and against the flags credgen accepts.
package deploy
