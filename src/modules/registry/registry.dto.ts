import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsInt, IsISO8601, IsOptional, IsString, IsUUID, Matches, MaxLength, Min, MinLength, ValidateIf, ValidateNested } from 'class-validator';
import { DisabilityDto, MemberDto } from '../households/households.dto';
import { PageQuery } from '../engine/cases.dto';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** `PATCH /households/{id}`: the address and the phone (issue 13). */
export class EditHouseholdDto {
  /** the household version the edit was made on (409 if it moved on) */
  @ApiProperty() @IsInt() @Min(0)
  version: number;

  @ApiPropertyOptional({ example: '许昌市建安区灵井镇霍庄村二组8号' }) @IsOptional() @IsString() @MinLength(2) @MaxLength(200)
  address?: string;

  @ApiPropertyOptional({ example: '13800138000', nullable: true })
  @IsOptional() @ValidateIf((_, v) => v !== null) @Matches(/^(1\d{10}|0\d{2,3}-?\d{7,8})$/, { message: 'phone 应为手机号或固定电话' })
  phone?: string | null;

  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(2000)
  reason?: string;
}

export const ADD_KINDS = ['birth', 'marriage_in', 'moved_in'] as const;
export type AddKind = (typeof ADD_KINDS)[number];

/** `POST /households/{id}/members`: a member joins (birth, marriage, moving in). */
export class AddMemberDto {
  @ApiProperty() @IsInt() @Min(0)
  version: number;

  @ApiProperty({ enum: ADD_KINDS, description: 'birth 出生 / marriage_in 婚入 / moved_in 迁入' }) @IsIn(ADD_KINDS)
  kind: AddKind;

  /** the day it happened */
  @ApiProperty({ example: '2025-03-01' }) @IsISO8601({ strict: true }) @Matches(DATE)
  date: string;

  @ApiProperty() @IsString() @MaxLength(2000)
  reason: string;

  @ApiProperty({ type: [String] }) @IsArray() @ArrayMaxSize(10) @IsUUID('all', { each: true, message: 'evidenceIds 应为证明材料编号' })
  evidenceIds: string[];

  @ApiProperty({ type: MemberDto }) @ValidateNested() @Type(() => MemberDto)
  member: MemberDto;
}

export const CHANGE_KINDS = ['death', 'marriage_out', 'moved_away', 'employment', 'labour_ability', 'disability'] as const;
export type ChangeKind = (typeof CHANGE_KINDS)[number];
/** the kinds after which the person is no longer a member */
export const LEAVING: ChangeKind[] = ['death', 'marriage_out', 'moved_away'];

/** `POST /households/{id}/members/{memberId}/changes` */
export class MemberChangeDto {
  @ApiProperty() @IsInt() @Min(0)
  version: number;

  @ApiProperty({ enum: CHANGE_KINDS, description: 'death 死亡 / marriage_out 婚出 / moved_away 迁出 / employment 务工状况 / labour_ability 劳动能力 / disability 残疾' })
  @IsIn(CHANGE_KINDS)
  kind: ChangeKind;

  @ApiProperty({ example: '2025-03-01' }) @IsISO8601({ strict: true }) @Matches(DATE)
  date: string;

  @ApiProperty() @IsString() @MaxLength(2000)
  reason: string;

  @ApiProperty({ type: [String] }) @IsArray() @ArrayMaxSize(10) @IsUUID('all', { each: true, message: 'evidenceIds 应为证明材料编号' })
  evidenceIds: string[];

  /** kind employment */
  @ApiPropertyOptional({ enum: ['local', 'outside', 'none', 'student', 'retired'] })
  @ValidateIf((o: MemberChangeDto) => o.kind === 'employment') @IsIn(['local', 'outside', 'none', 'student', 'retired'])
  employment?: string;

  /** kind labour_ability */
  @ApiPropertyOptional({ enum: ['full', 'weak', 'semi', 'none'] })
  @ValidateIf((o: MemberChangeDto) => o.kind === 'labour_ability') @IsIn(['full', 'weak', 'semi', 'none'])
  laborAbility?: string;

  /** kind disability: the new category and level, or null when no longer disabled */
  @ApiPropertyOptional({ type: DisabilityDto, nullable: true })
  @ValidateIf((o: MemberChangeDto) => o.kind === 'disability' && o.disability !== null) @ValidateNested() @Type(() => DisabilityDto)
  disability?: DisabilityDto | null;
}

export class RegistryAlertQuery extends PageQuery {
  @ApiPropertyOptional({ enum: ['open', 'resolved', 'all'], default: 'open' }) @IsOptional() @IsIn(['open', 'resolved', 'all'])
  status?: 'open' | 'resolved' | 'all';

  @ApiPropertyOptional() @IsOptional() @Matches(/^\d{12}$/, { message: 'areaCode 应为12位统计用区划代码' })
  areaCode?: string;
}
