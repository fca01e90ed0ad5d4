package rest

import (
	"bytes"
	"encoding/json"
	"html/template"
	"net/http"
)

// browsableTemplate is the browsable API page: the response pretty
// printed, the allowed methods and the endpoint's query parameters.
var browsableTemplate = template.Must(template.New("page").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Title}} – Quire API</title>
<meta name="robots" content="NONE,NOARCHIVE">
<style>
body{font-family:system-ui,sans-serif;margin:2em auto;max-width:70em;padding:0 1em;color:#222}
pre{background:#f6f8fa;border:1px solid #ddd;padding:1em;overflow:auto;white-space:pre-wrap}
table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:.2em .6em;text-align:left;vertical-align:top}
code{background:#f3f3f3;padding:0 .2em}.methods span{display:inline-block;border:1px solid #888;border-radius:3px;padding:0 .4em;margin-right:.3em}
</style></head><body>
<nav><a href="/api/">Api Root</a> · <a href="/api/schema/">OpenAPI schema</a> · <a href="{{.JSONLink}}">as JSON</a></nav>
<h1>{{.Title}}</h1>
<p class="methods">Allowed methods: {{range .Methods}}<span>{{.}}</span>{{end}}</p>
<p><b>{{.Method}}</b> <code>{{.Path}}</code></p>
<p><b>HTTP {{.Status}} {{.StatusText}}</b></p>
<pre>{{.Body}}</pre>
{{if .Params}}<h2>Query parameters</h2>
<table><tr><th>Name</th><th>Type</th><th>Meaning</th></tr>
{{range .Params}}<tr><td><code>{{.Name}}</code></td><td>{{.Type}}</td><td>{{.Help}}</td></tr>
{{end}}</table>{{end}}
{{if .Ordering}}<h2>Ordering fields</h2><p>{{range .Ordering}}<code>{{.}}</code> {{end}}</p>{{end}}
</body></html>
`))

type browsableData struct {
	Title, Method, Path, StatusText, JSONLink string
	Status                                    int
	Methods, Ordering                         []string
	Params                                    []param
	Body                                      string
}

// browsablePage wraps a JSON response body in the browsable HTML page.
func (a *API) browsablePage(r *http.Request, in *reqInfo, status int, body []byte) []byte {
	var pretty bytes.Buffer
	if err := json.Indent(&pretty, body, "", "    "); err != nil {
		pretty.Reset()
		pretty.Write(body)
	}
	d := browsableData{Title: "Quire API", Method: r.Method, Path: r.URL.RequestURI(), Status: status,
		StatusText: http.StatusText(status), Body: pretty.String()}
	q := r.URL.Query()
	q.Set("format", "json")
	d.JSONLink = r.URL.Path + "?" + q.Encode()
	if ep := in.ep; ep != nil {
		d.Title = ep.Name
		d.Methods = ep.methods()
		d.Params = ep.Query
		d.Ordering = ep.Ordering
	}
	var out bytes.Buffer
	if err := browsableTemplate.Execute(&out, d); err != nil {
		return body
	}
	return out.Bytes()
}
