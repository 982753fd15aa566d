/** Stable English ids with their Chinese and English titles (api-contract.md, "Enumerations"). */
export interface Labelled<T extends string = string> {
  id: T;
  title: string;
  titleEn: string;
}

function labels<T extends string>(rows: ReadonlyArray<readonly [T, string, string]>): Labelled<T>[] {
  return rows.map(([id, title, titleEn]) => ({ id, title, titleEn }));
}

export const ROLES = ['village', 'township', 'county', 'department', 'supervisor', 'admin'] as const;
export type UserRole = (typeof ROLES)[number];
export type ActorRole = UserRole | 'system';

export const ROLE_LABELS = labels<ActorRole>([
  ['village', '村级经办', 'Village'],
  ['township', '乡镇审核', 'Township'],
  ['county', '县级审定', 'County'],
  ['department', '行业部门', 'Line department'],
  ['supervisor', '纪检监督', 'Supervisor'],
  ['admin', '系统管理', 'Administrator'],
  ['system', '系统', 'System'],
]);

export const MONITORING_TYPES = labels([
  ['unstable_formerly_poor', '脱贫不稳定户', 'Unstable formerly poor household'],
  ['marginal', '边缘易致贫户', 'Marginal household at risk'],
  ['sudden_hardship', '突发严重困难户', 'Household in sudden severe hardship'],
] as const);

export const RISK_TYPES = labels([
  ['illness', '因病', 'Illness'],
  ['disability', '因残', 'Disability'],
  ['education', '因学', 'Education costs'],
  ['disaster', '因自然灾害', 'Natural disaster'],
  ['accident', '因意外事故', 'Accident'],
  ['industry_failure', '因产业项目失败', 'Failed industry project'],
  ['unstable_employment', '因务工就业不稳', 'Unstable employment'],
  ['lack_of_labor', '缺劳动力', 'Lack of labour'],
  ['housing', '住房安全', 'Housing safety'],
  ['water', '饮水安全', 'Drinking water safety'],
  ['other', '其他', 'Other'],
] as const);

export const EVIDENCE_TYPES = labels([
  ['household_survey', '入户核查表', 'Household survey'],
  ['income_calculation', '收入核算表', 'Income calculation'],
  ['application_form', '申请书', 'Application form'],
  ['commitment_letter', '承诺书', 'Commitment letter'],
  ['meeting_minutes', '会议记录', 'Meeting minutes'],
  ['meeting_photos', '会议照片', 'Meeting photos'],
  ['sign_in_sheet', '签到表', 'Sign-in sheet'],
  ['notice_photo', '公示照片', 'Photo of the posted notice'],
  ['review_opinion', '审核意见', 'Review opinion'],
  ['objection_record', '异议记录', 'Objection record'],
  ['agreement', '协议', 'Agreement'],
  ['attendance_sheet', '考勤表', 'Attendance sheet'],
  ['project_proposal', '项目申报书', 'Project proposal'],
  ['villager_resolution', '村民代表会议决议', "Villagers' representative resolution"],
  ['feasibility_opinion', '论证意见', 'Feasibility opinion'],
  ['rollback_evidence', '回退佐证材料', 'Rollback evidence'],
  ['rectification_evidence', '整改佐证材料', 'Rectification evidence'],
  ['contract', '施工（采购）合同', 'Contract'],
  ['start_report', '开工报告', 'Start-of-works report'],
  ['progress_photo', '进度照片', 'Progress photo'],
  ['completion_report', '竣工报告', 'Completion report'],
  ['acceptance_record', '验收记录（签字）', 'Signed acceptance record'],
  ['handover_record', '资产移交记录', 'Asset handover record'],
  ['invoice', '发票', 'Invoice'],
  ['death_certificate', '死亡证明', 'Death certificate'],
  ['disability_card', '残疾人证', 'Disability card'],
  ['birth_certificate', '出生医学证明', 'Birth certificate'],
  ['marriage_certificate', '结婚证', 'Marriage certificate'],
  ['household_register', '户口簿或户籍迁移证明', 'Household register or migration certificate'],
  ['other', '其他', 'Other'],
] as const);

/** 部门筛查预警 list sources (issue 6); 低保 and 特困 lists feed the SF-01 detector. */
export const ALERT_SOURCES = labels([
  ['dibao', '低保', 'Minimum living allowance (dibao)'],
  ['tekun', '特困', 'Extreme-poverty support (tekun)'],
  ['medical_expense', '医保大额自付', 'Large out-of-pocket medical expenses'],
  ['disability', '残疾', 'Disability'],
  ['education', '教育', 'Education'],
  ['housing', '住房', 'Housing safety'],
  ['water', '饮水', 'Drinking water safety'],
  ['other', '其他', 'Other'],
] as const);
export type AlertSource = (typeof ALERT_SOURCES)[number]['id'];

/** An alert source given by id (`dibao`) or by its Chinese title (`低保`); null if unknown. */
export function alertSourceOf(raw: string | null | undefined): AlertSource | null {
  const v = (raw ?? '').trim();
  return ALERT_SOURCES.find((s) => s.id === v.toLowerCase() || s.title === v)?.id ?? null;
}

export const SECTORS = labels([
  ['human_resources', '人社', 'Human resources and social security'],
  ['civil_affairs', '民政', 'Civil affairs'],
  ['education', '教育', 'Education'],
  ['health', '卫健', 'Health'],
  ['medical_insurance', '医保', 'Medical insurance'],
  ['housing', '住建', 'Housing and construction'],
  ['water', '水利', 'Water resources'],
  ['agriculture', '农业农村', 'Agriculture and rural affairs'],
  ['transport', '交通', 'Transport'],
  ['disabled_persons', '残联', "Disabled persons' federation"],
] as const);

export const ids = <T extends string>(list: ReadonlyArray<Labelled<T>>): T[] => list.map((l) => l.id);
export const titleOf = (list: ReadonlyArray<Labelled>, id: string): string =>
  list.find((l) => l.id === id)?.title ?? id;
