/** The lab's page: see lab.ts. */
import "./style.css";
import { Lab } from "./lab.js";

const lab = new Lab(document.getElementById("app")!);
// For the end-to-end tests and measurements (test/e2e/): read-only views of the run.
(window as unknown as { beliefscopeLab: ReturnType<Lab["hooks"]> }).beliefscopeLab = lab.hooks();
