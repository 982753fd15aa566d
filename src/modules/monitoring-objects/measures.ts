/** 帮扶措施 types. `social_security` is 兜底保障. */
export const MEASURE_TYPES = [
  { id: 'industry', title: '产业帮扶', titleEn: 'Industry support' },
  { id: 'employment', title: '就业帮扶', titleEn: 'Employment support' },
  { id: 'public_welfare_post', title: '公益岗位安置', titleEn: 'Public-welfare post' },
  { id: 'education', title: '教育帮扶', titleEn: 'Education support' },
  { id: 'health', title: '健康帮扶', titleEn: 'Health support' },
  { id: 'housing', title: '住房安全保障', titleEn: 'Housing safety' },
  { id: 'water', title: '饮水安全保障', titleEn: 'Drinking water safety' },
  { id: 'social_security', title: '综合保障（兜底）', titleEn: 'Social security (兜底)' },
  { id: 'financial', title: '小额信贷', titleEn: 'Microcredit' },
  { id: 'other', title: '其他', titleEn: 'Other' },
] as const;

export const MEASURE_TYPE_IDS = MEASURE_TYPES.map((m) => m.id);
