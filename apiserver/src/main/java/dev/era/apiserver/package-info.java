/**
 * The embedded Kubernetes API server: the one {@code era up} runs in-process when there is no
 * cluster, and the one every test of the operator and the node agent runs against. Its entry point
 * is {@link dev.era.apiserver.EmbeddedApiServer}, which serves ERA's CRDs from the api jar; tests
 * start it through {@code dev.era.apiserver.testing} in this module's test jar (a JUnit extension,
 * and a Quarkus test resource for {@code @QuarkusTest} classes).
 *
 * <p>fabric8's {@code KubernetesCrudDispatcher} stores the objects; watches resume from the
 * resourceVersion a client last saw ({@link dev.era.apiserver.WatchableStore}); the classes here
 * add what real clients (kubectl, Flux, fabric8, java-operator-sdk) need from a real server: HTTPS
 * with a CA of its own, bearer tokens and RBAC (the chart's rules for each component), discovery,
 * OpenAPI v3, {@code Table} responses (the CRDs' printer columns; the server's columns for Events),
 * schema pruning, defaulting and validation with the server's error bodies, status-subresource
 * rules, optimistic locking (409 on a stale resourceVersion, status writes and delete preconditions
 * included; 422 on a custom-resource update that names none), label selectors of every kind and
 * field selectors on the fields kube-apiserver offers, {@code dryRun=All}, server-side apply with
 * {@code metadata.managedFields} ({@link dev.era.apiserver.ManagedFields}), protobuf request bodies
 * for built-in kinds, HTTP-streamed watches, and saving and restoring the store.
 *
 * <p>Known differences from a real API server, each refused with a clear error where a client could
 * notice: protobuf is read for ConfigMap, Secret, Namespace, ServiceAccount and Event bodies only
 * (415 for others) and answers are always JSON; field selectors on custom resources take {@code
 * metadata.name} and {@code metadata.namespace} only (no CRD {@code selectableFields}); OpenAPI v2
 * is served without schemas, so kubectl before 1.27 skips its own validation, cannot {@code
 * explain} and refuses server dry run and {@code diff} itself. Server-side apply knows the list and
 * map types of CRD schemas, ObjectMeta, ConfigMap, Secret, Namespace and ServiceAccount and deduces
 * the rest (maps granular, lists atomic); it does not merge Update managers beyond ten into {@code
 * ancient-changes}, appends new items of keyed lists after the existing ones, and knows no unions.
 * No impersonation ({@code kubectl --as}). Authentication is by static bearer token only (no client
 * certificates, no service account token requests, no anonymous requests: every request without a
 * valid token gets 401). RBAC objects are fixed when the server starts and are not served (no
 * {@code rbac.authorization.k8s.io} resources, no {@code kubectl auth can-i}). Not checked,
 * silently: CEL rules ({@code x-kubernetes-validations}; the operator checks ERA's own in Java),
 * built-in kinds against a schema (beyond Secret's stringData and type), namespace existence.
 * Deleting a namespace does not delete what is in it, and owner references are not
 * garbage-collected; watches resume only from the last {@value
 * dev.era.apiserver.WatchableStore#HISTORY} changes (older versions get 410 Gone), send no
 * bookmarks, and refuse {@code sendInitialEvents}; tables of built-in kinds other than Events show
 * Name and Age.
 */
package dev.era.apiserver;
