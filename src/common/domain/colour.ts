/**
 * 三色管理 (SF-11): derived from a monitoring object's data by rules whose numbers are policy,
 * never typed in.
 * - 绿 green: risk eliminated;
 * - 黄 yellow: keep watching — large rigid expenditure, whole-household 兜底 (no member can
 *   work), or in monitoring with recent measures;
 * - 橙 orange: key attention — no measure within `colour.measureRecency` and no member with
 *   full labour capacity (measures not enough, little capacity).
 */
export type Colour = 'green' | 'yellow' | 'orange';

export const COLOUR_TITLES: Record<Colour, string> = { green: '绿', yellow: '黄', orange: '橙' };

export interface ColourInput {
  status: string;
  rigidExpenditureHigh: boolean;
  /** every member has laborAbility `none` */
  noLabourCapacity: boolean;
  /** some member has laborAbility `full` */
  hasFullLabour: boolean;
  /** the latest measure's date (YYYY-MM-DD), or null */
  lastMeasureDate: string | null;
  /** measures older than this date are not recent */
  recentSince: string;
}

export function colourOf(input: ColourInput): Colour {
  if (input.status === 'eliminated') return 'green';
  if (input.rigidExpenditureHigh || input.noLabourCapacity) return 'yellow';
  const recent = input.lastMeasureDate !== null && input.lastMeasureDate >= input.recentSince;
  if (!recent && !input.hasFullLabour) return 'orange';
  return 'yellow';
}
