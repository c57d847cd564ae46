import { createHmm } from "../hmm.js";
import type { ProcessFactory } from "./types.js";

export type DaysOfWeekParams = Record<string, never>;

const DAYS = ["M", "Tu", "W", "Th", "F", "Sa", "Su"];
/** Day names, then the relative words; symbol order as in simplexity. */
const SYMBOLS = [...DAYS, "Tmrw", "Yest", "Wknd", "Wkdy"];

/**
 * Days of the week (Astera simplexity `days_of_week`): the hidden state is
 * today's day; 11 symbols name a day. Weights before normalising each row:
 * every day name 1 (moving to that day), the day after today's name 5
 * instead of 1, "Tmrw" 1 (to tomorrow), "Yest" 1 (to yesterday), "Wkdy" 1
 * split evenly over the 5 weekdays, "Wknd" 1 split over the 2 weekend days.
 * Every row totals 15, so T = weights / 15.
 */
export const daysOfWeek: ProcessFactory<DaysOfWeekParams> = {
  description: "days of the week: 7 hidden days, 11 words (day names, Tmrw, Yest, Wknd, Wkdy)",
  source: "Astera simplexity transition_matrices.days_of_week",
  params: {},
  build() {
    const S = 7;
    const V = SYMBOLS.length;
    const T = Array.from({ length: V }, () => Array.from({ length: S }, () => new Array<number>(S).fill(0)));
    const sym = (name: string) => SYMBOLS.indexOf(name);
    for (let d = 0; d < S; d++) for (let i = 0; i < S; i++) T[d][i][d] = 1;
    for (let i = 0; i < S; i++) {
      for (let d = 0; d < 5; d++) T[sym("Wkdy")][i][d] = 1 / 5;
      for (let d = 5; d < 7; d++) T[sym("Wknd")][i][d] = 1 / 2;
    }
    for (let i = 0; i < S; i++) {
      const next = (i + 1) % S;
      const prev = (i + S - 1) % S;
      T[sym("Tmrw")][i][next] = 1;
      T[next][i][next] = 5;
      T[sym("Yest")][i][prev] = 1;
    }
    for (let i = 0; i < S; i++) {
      let total = 0;
      for (let x = 0; x < V; x++) for (let j = 0; j < S; j++) total += T[x][i][j];
      for (let x = 0; x < V; x++) for (let j = 0; j < S; j++) T[x][i][j] /= total;
    }
    return createHmm(T, { name: "days-of-week", params: {}, symbolLabels: SYMBOLS, stateLabels: DAYS });
  },
};
