/**
 * A demo county of realistic shape: 河南省许昌市建安区, three townships, five villages, one
 * user per role and area level, and sample households. All demo users share DEMO_PASSWORD.
 */
import { checkCharacter } from '../src/common/domain/id-number';
import type { AreaLevel } from '../src/common/domain/area';
import type { UserRole } from '../src/common/domain/enums';

export const DEMO_PASSWORD = 'Demo@2026';

export const AREAS: Array<{ code: string; name: string; level: AreaLevel }> = [
  { code: '410000000000', name: '河南省', level: 'province' },
  { code: '411000000000', name: '许昌市', level: 'city' },
  { code: '411003000000', name: '建安区', level: 'county' },
  { code: '411003100000', name: '灵井镇', level: 'township' },
  { code: '411003100201', name: '霍庄村', level: 'village' },
  { code: '411003100202', name: '大路陈村', level: 'village' },
  { code: '411003101000', name: '椹涧乡', level: 'township' },
  { code: '411003101201', name: '张庄村', level: 'village' },
  { code: '411003101202', name: '后河村', level: 'village' },
  { code: '411003102000', name: '陈曹乡', level: 'township' },
  { code: '411003102201', name: '小宫村', level: 'village' },
];

export const USERS: Array<{ username: string; displayName: string; role: UserRole; areaCode: string; sector?: string }> = [
  { username: 'v_huozhuang', displayName: '霍庄村村级经办 李红梅', role: 'village', areaCode: '411003100201' },
  { username: 'v_daluchen', displayName: '大路陈村村级经办 陈建设', role: 'village', areaCode: '411003100202' },
  { username: 'v_zhangzhuang', displayName: '张庄村村级经办 张卫东', role: 'village', areaCode: '411003101201' },
  { username: 't_lingjing', displayName: '灵井镇乡村振兴办 王志强', role: 'township', areaCode: '411003100000' },
  { username: 't_lingjing2', displayName: '灵井镇农业农村办 赵静', role: 'township', areaCode: '411003100000' },
  { username: 't_zhenjian', displayName: '椹涧乡乡村振兴办 刘洋', role: 'township', areaCode: '411003101000' },
  { username: 'c_jianan', displayName: '建安区乡村振兴局 孙立新', role: 'county', areaCode: '411003000000' },
  { username: 'c_jianan2', displayName: '建安区农业农村局 周敏', role: 'county', areaCode: '411003000000' },
  { username: 'd_civil', displayName: '建安区民政局 吴芳', role: 'department', areaCode: '411003000000', sector: 'civil_affairs' },
  { username: 'd_hr', displayName: '建安区人社局 郑磊', role: 'department', areaCode: '411003000000', sector: 'human_resources' },
  { username: 'd_agri', displayName: '建安区农业农村局 冯涛', role: 'department', areaCode: '411003000000', sector: 'agriculture' },
  { username: 's_jianan', displayName: '建安区纪委监委 何平', role: 'supervisor', areaCode: '411003000000' },
  { username: 's_xuchang', displayName: '许昌市乡村振兴督查 韩雪', role: 'supervisor', areaCode: '411000000000' },
];

/** A valid 居民身份证号 of 建安区 (411003) for a birth date, sequence and gender. */
export function demoIdNumber(birthDate: string, seq: number, gender: 'male' | 'female'): string {
  const order = seq * 2 + (gender === 'male' ? 1 : 0);
  const first17 = `411003${birthDate.replace(/-/g, '')}${String(order).padStart(3, '0')}`;
  return first17 + checkCharacter(first17);
}

interface DemoMember {
  name: string;
  relation: string;
  gender: 'male' | 'female';
  birthDate: string;
  laborAbility: 'full' | 'weak' | 'semi' | 'none';
  employment: 'local' | 'outside' | 'none' | 'student' | 'retired';
  disability?: { category: string; level: number } | null;
  phone?: string;
}

export const HOUSEHOLDS: Array<{ areaCode: string; householderName: string; address: string; isFormerlyPoor: boolean; members: DemoMember[] }> = [
  {
    areaCode: '411003100201',
    householderName: '王建国',
    address: '许昌市建安区灵井镇霍庄村三组12号',
    isFormerlyPoor: true,
    members: [
      { name: '王建国', relation: '户主', gender: 'male', birthDate: '1962-04-18', laborAbility: 'weak', employment: 'local', phone: '13903741234' },
      { name: '李秀兰', relation: '配偶', gender: 'female', birthDate: '1964-09-02', laborAbility: 'semi', employment: 'none', disability: { category: '肢体', level: 3 } },
      { name: '王磊', relation: '子', gender: 'male', birthDate: '2008-01-20', laborAbility: 'none', employment: 'student' },
    ],
  },
  {
    areaCode: '411003100201',
    householderName: '赵桂英',
    address: '许昌市建安区灵井镇霍庄村一组5号',
    isFormerlyPoor: false,
    members: [
      { name: '赵桂英', relation: '户主', gender: 'female', birthDate: '1950-11-11', laborAbility: 'none', employment: 'retired', phone: '13700374567' },
    ],
  },
  {
    areaCode: '411003100202',
    householderName: '陈志刚',
    address: '许昌市建安区灵井镇大路陈村二组8号',
    isFormerlyPoor: true,
    members: [
      { name: '陈志刚', relation: '户主', gender: 'male', birthDate: '1975-06-30', laborAbility: 'full', employment: 'outside', phone: '15836781234' },
      { name: '刘芳', relation: '配偶', gender: 'female', birthDate: '1978-03-12', laborAbility: 'full', employment: 'local' },
      { name: '陈小雨', relation: '女', gender: 'female', birthDate: '2012-07-07', laborAbility: 'none', employment: 'student' },
      { name: '陈德福', relation: '父亲', gender: 'male', birthDate: '1946-02-14', laborAbility: 'none', employment: 'retired', disability: { category: '视力', level: 2 } },
    ],
  },
  {
    areaCode: '411003101201',
    householderName: '张保国',
    address: '许昌市建安区椹涧乡张庄村四组21号',
    isFormerlyPoor: false,
    members: [
      { name: '张保国', relation: '户主', gender: 'male', birthDate: '1968-12-01', laborAbility: 'semi', employment: 'local', phone: '13569901234' },
      { name: '张海燕', relation: '女', gender: 'female', birthDate: '1996-05-25', laborAbility: 'full', employment: 'outside' },
    ],
  },
  {
    areaCode: '411003101202',
    householderName: '孙玉梅',
    address: '许昌市建安区椹涧乡后河村一组3号',
    isFormerlyPoor: true,
    members: [
      { name: '孙玉梅', relation: '户主', gender: 'female', birthDate: '1958-08-08', laborAbility: 'weak', employment: 'none', phone: '13803749876' },
      { name: '孙强', relation: '子', gender: 'male', birthDate: '1985-10-10', laborAbility: 'full', employment: 'outside' },
    ],
  },
  {
    areaCode: '411003102201',
    householderName: '周长林',
    address: '许昌市建安区陈曹乡小宫村二组17号',
    isFormerlyPoor: false,
    members: [
      { name: '周长林', relation: '户主', gender: 'male', birthDate: '1959-01-09', laborAbility: 'weak', employment: 'local', phone: '18837401234' },
      { name: '周王氏', relation: '母亲', gender: 'female', birthDate: '1934-06-16', laborAbility: 'none', employment: 'retired' },
    ],
  },
];

/** Henan's 2023 monitoring line (seed document 001 gives 6,900 for 2022), as a province override. */
export const POLICY_OVERRIDES = [
  { areaCode: '410000000000', effectiveFrom: '2023-01-01T00:00:00+08:00', values: { 'monitoring.incomeLine': 7500 } },
];
