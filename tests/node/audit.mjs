// The GraphQL-over-HTTP audit of graphql-http against a running server.
// Usage: node audit.mjs URL   → one JSON line: [{id, name, status, reason}, …]
import { auditServer } from "graphql-http";

const url = process.argv[2];
if (!url) {
  console.error("usage: node audit.mjs URL");
  process.exit(2);
}
const results = await auditServer({ url });
const report = [];
for (const result of results) {
  const entry = { id: result.id, name: result.name, status: result.status, reason: null };
  if (result.status !== "ok") {
    entry.reason = result.reason;
    if (result.response) {
      entry.reason += ` [HTTP ${result.response.status} ${result.response.headers.get("content-type")}]`;
    }
  }
  report.push(entry);
}
console.log(JSON.stringify(report));
