// `allure generate`, plus loanqa's release-gate verdict in the report's Quality Gates tab.
//
// Allure 3 fills that tab only from `allure run`'s own quality gate; `allure generate` leaves it empty.
// This does what the CLI's generate does (readConfig → AllureReport → readDirectory → done) through
// @allurereport/core's public API, found next to the allure CLI being used, and hands the gate's rules
// to the report as quality-gate results before it is written.
//
// usage: node generate.mjs ALLURE_CLI CONFIG OUTPUT QUALITY_GATE_JSON RESULTS_DIR...
import { readFile, realpath } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname } from "node:path";
import { pathToFileURL } from "node:url";

const [allureCli, configPath, output, gatePath, ...resultsDirs] = process.argv.slice(2);
const requireFromAllure = createRequire(await realpath(allureCli));
const core = await import(pathToFileURL(requireFromAllure.resolve("@allurereport/core")).href);

const config = await core.readConfig(dirname(configPath), configPath, { output });
const report = new core.AllureReport(config);
await report.start();
for (const dir of resultsDirs) {
  await report.readDirectory(dir);
}

const rules = JSON.parse(await readFile(gatePath, "utf8"));
if (rules.length) {
  const idByFile = new Map();
  for (const tr of await report.store.allTestResults({ includeRetries: true })) {
    const file = tr.sourceMetadata?.metadata?.originalFileName;
    if (file) idByFile.set(file, tr.id);
  }
  report.realtimeDispatcher.sendQualityGateResults(rules.map(({ files, ...rule }) => ({
    ...rule,
    testResults: files.map((f) => idByFile.get(f)).filter(Boolean),
  })));
}
await report.done();
