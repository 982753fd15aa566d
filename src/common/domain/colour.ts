/**
 * 三色管理 (SF-11): derived from a monitoring object's data, never typed in.
 * 绿 green: risk stably eliminated; 黄 yellow: large rigid expenditure or no labour capacity
 * (whole-household 兜底), keep watching; 橙 orange: in monitoring without that — key attention.
 * The refined, policy-driven rules belong to the risk-elimination work (issue 3).
 */
export type Colour = 'green' | 'yellow' | 'orange';

export const COLOUR_TITLES: Record<Colour, string> = { green: '绿', yellow: '黄', orange: '橙' };

export function colourOf(input: {
  status: string;
  rigidExpenditureHigh: boolean;
  noLabourCapacity: boolean;
}): Colour {
  if (input.status === 'eliminated') return 'green';
  if (input.rigidExpenditureHigh || input.noLabourCapacity) return 'yellow';
  return 'orange';
}
