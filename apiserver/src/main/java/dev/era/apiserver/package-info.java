/**
 * The Kubernetes API server that {@code era} runs in-process when there is no cluster
 * ({@link dev.era.apiserver.EmbeddedApiServer}).
 *
 * <p>fabric8's {@code KubernetesCrudDispatcher} stores the objects and runs watches; the classes
 * here add what real clients (kubectl, fabric8, java-operator-sdk) need from a real server:
 * discovery, OpenAPI v3, {@code Table} responses with the CRDs' printer columns, schema pruning,
 * defaulting and validation with the server's error bodies, status-subresource and
 * resourceVersion rules, HTTP-streamed watches, and saving and restoring the store.
 *
 * <p>Known differences from a real API server, each refused with a clear error where a client
 * could notice: no server-side apply (java-operator-sdk must run with SSA off), no dry run, no
 * protobuf request bodies (kubectl sends them only for imperative {@code kubectl create <type>}),
 * no set-based label selectors, field selectors on {@code metadata.name}/{@code metadata.namespace}
 * only. Not checked, silently: CEL rules ({@code x-kubernetes-validations}), built-in kinds against
 * a schema, namespace existence. Deleting a namespace does not delete what is in it; watches do not
 * replay from a resourceVersion (they start with the current objects); no authentication.
 */
package dev.era.apiserver;
