import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type Router from '@koa/router';
import type { Plaza } from '@plaza/core';
import { objectNotFound } from '@plaza/core/host';
import { openApiDocument } from '../openapi/openApiDocument.js';
import { DOCS_ASSETS, ROUTES } from './catalog.js';
import { mountRoute } from './mountRoute.js';

/**
 * The pages only a browser loads get a policy of their own: scripts and styles from this
 * server alone (Swagger UI sets inline styles, and draws its icons as data: images), requests
 * to this server alone, nothing framed.
 */
const DOCS_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

// Links are relative, so that the page works under a host app's prefix too.
const PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>Plaza HTTP API</title>
    <link rel="icon" type="image/png" href="docs/favicon-32x32.png" />
    <link rel="stylesheet" href="docs/swagger-ui.css" />
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="docs/swagger-ui-bundle.js"></script>
    <script src="docs/plaza-docs.js"></script>
  </body>
</html>
`;

// validatorUrl: null, or Swagger UI would ask validator.swagger.io about the document.
const START_SCRIPT = `window.ui = SwaggerUIBundle({
  url: new URL('openapi.json', document.baseURI).href,
  dom_id: '#swagger-ui',
  deepLinking: true,
  validatorUrl: null,
});
`;

const MEDIA_TYPES: Readonly<Record<string, string>> = {
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.png': 'image/png',
};

const swaggerUiFolder = dirname(
  createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'),
);
const assets = new Map<string, Promise<Buffer>>();

/** A file of the swagger-ui-dist package, read once; or the page's own start script. */
function assetContent(name: string): Promise<Buffer> {
  let content = assets.get(name);
  if (content === undefined) {
    content =
      name === 'plaza-docs.js'
        ? Promise.resolve(Buffer.from(START_SCRIPT))
        : readFile(join(swaggerUiFolder, name));
    // A failed read is tried again next time.
    content.catch(() => assets.delete(name));
    assets.set(name, content);
  }
  return content;
}

/** `GET /openapi.json`, and the reference page `GET /docs` with its files. */
export function docsRoutes(router: Router, plaza: Plaza): void {
  mountRoute(router, plaza, ROUTES.openApi, function serveOpenApi(ctx) {
    ctx.body = openApiDocument();
  });

  mountRoute(router, plaza, ROUTES.docsPage, function serveDocsPage(ctx) {
    if (ctx.path.endsWith('/')) {
      // The router takes `/docs/` for `/docs`, where the page's relative links would miss.
      ctx.redirect('../docs');
      return;
    }
    ctx.set('Content-Security-Policy', DOCS_POLICY);
    ctx.type = 'text/html; charset=utf-8';
    ctx.body = PAGE;
  });

  mountRoute(router, plaza, ROUTES.docsAsset, async function serveDocsAsset(ctx) {
    const name = ctx.params['asset'] ?? '';
    if (!(DOCS_ASSETS as readonly string[]).includes(name)) throw objectNotFound();
    const body = await assetContent(name);
    ctx.set('Content-Security-Policy', DOCS_POLICY);
    ctx.type = MEDIA_TYPES[name.slice(name.lastIndexOf('.'))] ?? 'application/octet-stream';
    ctx.body = body;
  });
}
