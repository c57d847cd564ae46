import { describe, expect, it } from "vitest";
import { graphProblems, layoutProblems, overlapDepth, parseSvg } from "./svgGeometry.js";
import { longLabelFigures } from "./longLabelFigures.js";
import { fitText, textWidth } from "../../src/plot/text.js";
import { Resvg } from "@resvg/resvg-js";
import { arrowhead } from "./svgGeometry.js";

const figures = longLabelFigures();

describe("figure text geometry with the longest labels the CLI produces", () => {
  it.each(figures.map((f) => [f.name, f.svg]))("%s: no text leaves the figure or crosses a panel's edge, no two texts overlap", (_name, svg) => {
    const g = parseSvg(svg);
    expect(g.texts.length).toBeGreaterThan(3);
    expect(layoutProblems(g)).toEqual([]);
  });

  it.each(figures.filter((f) => /recovered|animation/.test(f.name)).map((f) => [f.name, f.svg]))("%s: no arrowhead under a node, no edge label over one", (_name, svg) => {
    const g = parseSvg(svg);
    expect(g.nodes.length).toBeGreaterThanOrEqual(3);
    expect(g.arrows.length).toBeGreaterThanOrEqual(3);
    expect(graphProblems(g)).toEqual([]);
  });

  it("draws every arrowhead where the geometry says, outside the nodes (resvg reverses orient=auto-start-reverse at a path's end)", () => {
    const svg = figures.find((f) => f.name === "truth-vs-recovered-z1r")!.svg;
    const g = parseSvg(svg);
    const image = new Resvg(svg, { font: { loadSystemFonts: false } }).render();
    const { width } = image;
    const pixels = image.pixels;
    expect(g.arrows).toHaveLength(6);
    for (const a of g.arrows) {
      // A point inside the arrowhead but beside the line under it (7 px back from the tip, 2.8 px aside; the
      // line is 3.3 px wide, the head 7 px wide there) is painted dark (the arrows' grey #555555, anti-aliased; the background is white, a node pale blue).
      const head = arrowhead(a);
      const [tx, ty] = head[0];
      const len = Math.hypot(tx - a.from[0], ty - a.from[1]);
      const [ux, uy] = [(tx - a.from[0]) / len, (ty - a.from[1]) / len];
      const [x, y] = [Math.round(tx - 7 * ux - 2.8 * uy), Math.round(ty - 7 * uy + 2.8 * ux)];
      const k = 4 * (y * width + x);
      expect(Math.max(...pixels.subarray(k, k + 3))).toBeLessThan(140);
    }
  });

  it("never cuts a label: every word of the long hook and process names is drawn", () => {
    const embed = parseSvg(figures.find((f) => f.name === "beliefs-embed")!.svg);
    const drawn = embed.texts.map((t) => t.text).join(" ");
    for (const part of ["blocks.2.hook_resid_post+", "blocks.3.hook_resid_post", "mixture:mess3(x=0.1),rrxor;weights=0.3,0.7:", "(R² 0.99731,", "4-gram"]) expect(drawn).toContain(part);
  });
});

describe("the checks themselves", () => {
  it("catch a title that runs off the figure and two labels on top of each other", () => {
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="200" height="100" viewBox="0 0 200 100"><text x="100" y="20" text-anchor="middle" font-size="16">a title far too long for two hundred pixels</text><text x="10" y="60" font-size="12">left</text><text x="20" y="62" font-size="12">overlap</text><text x="10" y="90" font-size="12">apart</text></svg>`;
    const problems = layoutProblems(parseSvg(svg));
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/^"a title far too long.*leaves the figure/);
    expect(problems[1]).toMatch(/^"left" and "overlap" overlap by/);
  });

  it("catch text across a panel's edge, an arrowhead under a node and a label over one", () => {
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="300" height="300" viewBox="0 0 300 300"><rect x="50" y="50" width="100" height="100" fill="none" stroke="#999999"/><text x="140" y="100" font-size="12">across</text><svg x="100" y="100" width="200" height="200" viewBox="0 0 200 200"><path d="M10,10 Q50,50 100,100" marker-end="url(#arrow)"/><circle cx="105" cy="105" r="20" fill="#dbe9f6"/><text x="100" y="130" font-size="10" stroke="#ffffff">0:.5</text></svg></svg>`;
    const g = parseSvg(svg);
    expect(layoutProblems(g)).toEqual([expect.stringMatching(/^"across" crosses the edge of the panel at \(50, 50\)/)]);
    expect(g.nodes).toEqual([{ x: 205, y: 205, r: 20 }]);
    const problems = graphProblems(g);
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/^arrowhead 0 \(tip 200\.0, 200\.0\) is under the node/);
    expect(problems[1]).toMatch(/^edge label "0:\.5" overlaps the node/);
  });

  it("measure overlap of rotated rectangles by their separating axes", () => {
    const square = (cx: number, cy: number, a: number) => [[-1, -1], [1, -1], [1, 1], [-1, 1]].map(([u, v]) => [cx + 5 * (u * Math.cos(a) - v * Math.sin(a)), cy + 5 * (u * Math.sin(a) + v * Math.cos(a))] as const);
    expect(overlapDepth(square(0, 0, 0), square(8, 0, 0))).toBeCloseTo(2, 12);
    // A diamond (45°) beside a square: apart at a 12.5 px centre distance, 5 + 5√2 - 11 deep at 11.
    expect(overlapDepth(square(0, 0, 0), square(12.5, 0, Math.PI / 4))).toBeLessThan(0);
    expect(overlapDepth(square(0, 0, 0), square(11, 0, Math.PI / 4))).toBeCloseTo(5 + 5 * Math.SQRT2 - 11, 12);
  });
});

describe("fitText", () => {
  it("keeps text that fits, wraps at spaces and after '+', then shrinks, never cutting", () => {
    expect(fitText("short", 100, 12)).toMatchObject({ lines: ["short"], size: 12 });
    const hook = "blocks.2.hook_resid_post+blocks.3.hook_resid_post";
    const wrapped = fitText(`Probe of ${hook}`, 220, 12);
    expect(wrapped.lines).toEqual(["Probe of blocks.2.hook_resid_post+", "blocks.3.hook_resid_post"]);
    expect(wrapped.size).toBe(12);
    const shrunk = fitText(hook, 100, 12, { maxLines: 1 });
    expect(shrunk.lines).toEqual([hook]);
    expect(shrunk.size).toBeLessThan(12);
    expect(textWidth(hook, shrunk.size)).toBeLessThanOrEqual(100);
    // The largest size that fits (in 4% steps): one step larger would not.
    expect(textWidth(hook, shrunk.size / 0.96)).toBeGreaterThan(100 * 0.999);
  });

  it("measures DejaVu Sans advance widths (digits 0.636 em, 'i' 0.278 em, bold wider)", () => {
    expect(textWidth("0123456789", 10)).toBeCloseTo(63.6, 10);
    expect(textWidth("iiii", 10)).toBeCloseTo(11.12, 10);
    expect(textWidth("0", 10, true)).toBeCloseTo(6.96, 10);
  });
});
