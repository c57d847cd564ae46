import { Command } from "commander";
import { architectureNames, getArchitecture } from "../model/registry.js";

export function archCommand(): Command {
  return new Command("arch")
    .description("List the registered architectures, their presets and config fields, and (with a name) their hook names")
    .argument("[name]", "an architecture, to list its hooks for a preset")
    .option("--preset <name>", "preset whose config and hooks to show")
    .action((name: string | undefined, o: { preset?: string }) => {
      for (const n of name ? [name] : architectureNames()) {
        const arch = getArchitecture(n, "beliefscope arch");
        const config = arch.makeConfig({}, o.preset);
        process.stdout.write(`${arch.name}: ${arch.description}\n`);
        process.stdout.write(`    presets: ${Object.keys(arch.presets).join(", ")} (default ${arch.defaultPreset})\n`);
        process.stdout.write(`    config (${o.preset ?? arch.defaultPreset}): ${JSON.stringify(config)}\n`);
        if (name) for (const h of arch.hookNames(config)) process.stdout.write(`    ${h.padEnd(36)} ${arch.hookShape(config, h)}\n`);
      }
    });
}
