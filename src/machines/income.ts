/**
 * 家庭年人均纯收入, computed from income by category, never typed in (SF-05). Shared by the
 * verification steps of inclusion and elimination and by monitoring visits.
 */
import { round2 } from './procedure';

export interface IncomeInput {
  members: number;
  income: { periodStart: string; periodEnd: string; wage: number; businessNet: number; transfer: number; property: number };
  rigidExpenditure: { medical: number; education: number; other?: number };
  guarantees: { education: boolean; medical: boolean; housing: boolean; water: boolean };
}

export interface IncomeFigures {
  totalIncome: number;
  perCapitaNetIncome: number;
  totalRigidExpenditure: number;
  incomeLine: number;
  signals: { incomeBelowLine: boolean; rigidExpenditureHigh: boolean; guaranteeInsecure: boolean };
}

export function computeIncome(input: IncomeInput, policy: { incomeLine: number; rigidExpenditureRatio: number }): IncomeFigures {
  const i = input.income;
  const r = input.rigidExpenditure;
  const g = input.guarantees;
  const totalIncome = round2(i.wage + i.businessNet + i.transfer + i.property);
  const perCapitaNetIncome = round2(totalIncome / input.members);
  const totalRigidExpenditure = round2(r.medical + r.education + (r.other ?? 0));
  return {
    totalIncome,
    perCapitaNetIncome,
    totalRigidExpenditure,
    incomeLine: policy.incomeLine,
    signals: {
      incomeBelowLine: perCapitaNetIncome < policy.incomeLine,
      rigidExpenditureHigh: totalRigidExpenditure > 0 && totalRigidExpenditure > policy.rigidExpenditureRatio * Math.max(totalIncome, 0),
      guaranteeInsecure: !(g.education && g.medical && g.housing && g.water),
    },
  };
}

const money = { type: 'number', minimum: 0, maximum: 1e9, multipleOf: 0.01 } as const;
const date = { type: 'string', format: 'date' } as const;

/** JSON Schema parts of an income survey, shared by every step that records one. */
export const incomeSchema = {
  members: { type: 'integer', minimum: 1, maximum: 30, description: '家庭人口数' },
  income: {
    type: 'object',
    additionalProperties: false,
    required: ['periodStart', 'periodEnd', 'wage', 'businessNet', 'transfer', 'property'],
    properties: {
      periodStart: date,
      periodEnd: date,
      wage: { ...money, description: '工资性收入' },
      businessNet: { type: 'number', minimum: -1e9, maximum: 1e9, multipleOf: 0.01, description: '生产经营性净收入' },
      transfer: { ...money, description: '转移性收入（含赡养费）' },
      property: { ...money, description: '财产性收入' },
    },
  },
  rigidExpenditure: {
    type: 'object',
    additionalProperties: false,
    required: ['medical', 'education'],
    properties: {
      medical: { ...money, description: '医疗自付' },
      education: { ...money, description: '教育支出' },
      other: { ...money, description: '其他刚性支出' },
    },
  },
  guarantees: {
    type: 'object',
    additionalProperties: false,
    required: ['education', 'medical', 'housing', 'water'],
    properties: {
      education: { type: 'boolean', description: '义务教育有保障' },
      medical: { type: 'boolean', description: '基本医疗有保障' },
      housing: { type: 'boolean', description: '住房安全有保障' },
      water: { type: 'boolean', description: '饮水安全有保障' },
    },
  },
} as const;
