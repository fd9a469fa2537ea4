// /docs: swagger-ui's page and files, and openapi.yaml as JSON and YAML.
import { createReadStream, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { type Json, type JsonObject, loadSpec } from '../openapi/spec.js'
import { OPENAPI_PATH } from '../paths.js'

const DOCS_PREFIX = '/docs'

// swagger-ui's files as @fastify/swagger-ui ships them (copied from swagger-ui-dist, without the
// telemetry package swagger-ui-dist installs). Only the files are used: registering that plugin and
// @fastify/swagger, with @fastify/static and glob, was more than half of building the app.
const ASSETS_DIR = join(dirname(createRequire(import.meta.url).resolve('@fastify/swagger-ui')), 'static')
const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'index.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'application/javascript; charset=utf-8',
  'swagger-ui-standalone-preset.js': 'application/javascript; charset=utf-8',
  'oauth2-redirect.html': 'text/html; charset=utf-8',
  'oauth2-redirect.js': 'application/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
  'favicon-16x16.png': 'image/png'
}

// Relative links: the page works behind a proxy that mounts the emulator under a path.
const INDEX_HTML = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<title>quiltt-mock API</title>
<link rel="stylesheet" type="text/css" href="./static/swagger-ui.css" />
<link rel="stylesheet" type="text/css" href="./static/index.css" />
<link rel="icon" type="image/png" href="./static/favicon-32x32.png" sizes="32x32" />
<link rel="icon" type="image/png" href="./static/favicon-16x16.png" sizes="16x16" />
</head>
<body>
<div id="swagger-ui"></div>
<script src="./static/swagger-ui-bundle.js" charset="UTF-8"></script>
<script src="./static/swagger-ui-standalone-preset.js" charset="UTF-8"></script>
<script src="./static/swagger-initializer.js" charset="UTF-8"></script>
</body>
</html>
`

// validatorUrl null: swagger-ui would otherwise send the spec to validator.swagger.io.
const INITIALIZER = `window.onload = function () {
  function resolveUrl (url) {
    let href = window.location.href.split('#', 1)[0]
    if (!href.endsWith('/')) href += '/'
    const anchor = document.createElement('a')
    anchor.href = href + url
    return anchor.href
  }
  window.ui = SwaggerUIBundle({
    dom_id: '#swagger-ui',
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    plugins: [SwaggerUIBundle.plugins.DownloadUrl],
    layout: 'StandaloneLayout',
    validatorUrl: null,
    url: resolveUrl('./json'),
    oauth2RedirectUrl: resolveUrl('./static/oauth2-redirect.html')
  })
}
`

/**
 * The API reference at /docs: swagger-ui, all served from this process (no CDN), reading openapi.yaml
 * from /docs/json. /docs/yaml is the file itself. These are pages, not operations of the spec.
 */
export function useDocs (app: FastifyInstance): void {
  // Relative redirects too: /docs -> docs/, /docs/static/index.html -> ../ .
  app.get(DOCS_PREFIX, (_req, reply) => reply.redirect('docs/'))
  app.get(`${DOCS_PREFIX}/`, (_req, reply) => reply.type('text/html; charset=utf-8').send(INDEX_HTML))
  app.get(`${DOCS_PREFIX}/static/index.html`, (_req, reply) => reply.redirect('../'))
  app.get(`${DOCS_PREFIX}/static/swagger-initializer.js`, (_req, reply) =>
    reply.type('application/javascript; charset=utf-8').send(INITIALIZER))
  app.get<{ Params: { file: string } }>(`${DOCS_PREFIX}/static/:file`, (req, reply) => {
    const type = Object.hasOwn(ASSETS, req.params.file) ? ASSETS[req.params.file] : undefined
    if (type === undefined) return reply.callNotFound()
    return reply.type(type).header('cache-control', 'public, max-age=3600').send(createReadStream(join(ASSETS_DIR, req.params.file)))
  })
  // Made on the first read, not at start, and then kept: the document does not change while we run.
  let json: string | undefined
  let yaml: string | undefined
  app.get(`${DOCS_PREFIX}/json`, (_req, reply) => reply.type('application/json; charset=utf-8').send(json ??= JSON.stringify(servedDocument())))
  app.get(`${DOCS_PREFIX}/yaml`, (_req, reply) => reply.type('application/x-yaml; charset=utf-8').send(yaml ??= readFileSync(OPENAPI_PATH, 'utf8')))
}

/**
 * openapi.yaml for swagger-ui, whose "Try it out" sends requests to the first server: a URL relative
 * to this document (/docs/json), which swagger-ui resolves against the page's own origin, so requests
 * go to the port and host actually serving, behind a proxy's path prefix too. openapi.yaml's own
 * `servers` (the default port) is kept after it.
 */
function servedDocument (): JsonObject {
  const document = loadSpec().document
  const here = { url: '..', description: 'this emulator: the origin serving these docs' }
  return { ...document, servers: [here, ...((document.servers ?? []) as Json[])] }
}
