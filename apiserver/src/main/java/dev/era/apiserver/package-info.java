/**
 * The embedded Kubernetes API server: the one {@code era up} runs in-process when there is no
 * cluster, and the one every test of the operator and the node agent runs against. Its entry point
 * is {@link dev.era.apiserver.EmbeddedApiServer}, which serves ERA's CRDs from the api jar; tests
 * start it through {@code dev.era.apiserver.testing} in this module's test jar (a JUnit extension,
 * and a Quarkus test resource for {@code @QuarkusTest} classes).
 *
 * <p>fabric8's {@code KubernetesCrudDispatcher} stores the objects and runs watches; the classes
 * here add what real clients (kubectl, fabric8, java-operator-sdk) need from a real server:
 * HTTPS with a CA of its own, bearer tokens and RBAC (the chart's rules for each component),
 * discovery, OpenAPI v3, {@code Table} responses with the CRDs' printer columns, schema pruning,
 * defaulting and validation with the server's error bodies, status-subresource rules, optimistic
 * locking (409 on a stale resourceVersion, status writes and delete preconditions included; 422 on
 * a custom-resource update that names none), HTTP-streamed watches, and saving and restoring the
 * store.
 *
 * <p>Known differences from a real API server, each refused with a clear error where a client
 * could notice: no server-side apply (java-operator-sdk must run with SSA off), no dry run, no
 * protobuf request bodies (kubectl sends them only for imperative {@code kubectl create <type>}),
 * no set-based label selectors; watches and collection deletes take field selectors on
 * {@code metadata.name} and {@code metadata.namespace} only; no impersonation ({@code kubectl --as}).
 * Authentication is by static bearer token only (no client certificates, no service account token
 * requests, no anonymous requests: every request without a valid token gets 401). RBAC objects are
 * fixed when the server starts and are not served (no {@code rbac.authorization.k8s.io} resources,
 * no {@code kubectl auth can-i}). Not checked, silently: CEL rules ({@code x-kubernetes-validations};
 * the operator checks ERA's own in Java), built-in kinds against a schema, namespace existence,
 * field selectors on lists (any field is accepted, where a real server accepts only those a kind
 * declares). Deleting a namespace does not delete what is in it, and owner references are not
 * garbage-collected; watches do not replay from a resourceVersion (they start with the current
 * objects).
 */
package dev.era.apiserver;
