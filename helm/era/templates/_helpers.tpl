{{/* Chart name, overridable. */}}
{{- define "era.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Release-scoped base name; the release name alone when it already contains the chart name. */}}
{{- define "era.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "era.operator.fullname" -}}
{{- printf "%s-operator" (include "era.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "era.nodeAgent.fullname" -}}
{{- printf "%s-node-agent" (include "era.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "era.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/name: {{ include "era.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: era
{{- end }}

{{/* Selector labels take the component as argument: (dict "ctx" . "component" "operator"). */}}
{{- define "era.selectorLabels" -}}
app.kubernetes.io/name: {{ include "era.name" .ctx }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/* repository:tag, the tag defaulting to the chart's appVersion. */}}
{{- define "era.image" -}}
{{- printf "%s:%s" .image.repository (default .ctx.Chart.AppVersion .image.tag) }}
{{- end }}
