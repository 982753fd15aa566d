import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsObject, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { PageQuery } from '../engine/cases.dto';

export class PutPolicyDto {
  @ApiProperty({ example: '2027-01-01T00:00:00+08:00' })
  @IsISO8601({ strict: true })
  effectiveFrom: string;

  /** keys of domain/parameters.md; keys not given are inherited from the area above */
  @ApiProperty({ example: { 'monitoring.incomeLine': 7800, 'inclusion.noticePeriod': 'P7D' } })
  @IsObject()
  values: Record<string, unknown>;

  /** why the version is made: kept in the policy ledger */
  @ApiPropertyOptional({ example: '省里2027年监测收入标准提高到7800元' })
  @IsOptional() @IsString() @MaxLength(1000)
  reason?: string;
}

/** Issue 12: a change of the national bounds (global admin only, with a reason). */
export class PutPolicyBoundsDto {
  /** required: refused with REASON_REQUIRED (422) when missing, blank, a placeholder or too short */
  @ApiProperty({ example: '演示环境需要把公示期缩短到秒级，仅用于测试库' })
  @IsOptional() @IsString() @MaxLength(1000)
  reason?: string;

  /** key → the fields of its bound to change; fields not given keep their value (see GET /policies/bounds) */
  @ApiProperty({ example: { 'inclusion.noticePeriod': { min: 'PT1S' } } })
  @IsObject()
  bounds: Record<string, unknown>;
}

export class PolicyLedgerQuery extends PageQuery {
  @ApiPropertyOptional() @IsOptional() @Matches(/^\d{12}$/, { message: 'areaCode 应为12位统计用区划代码' })
  areaCode?: string;

  @ApiPropertyOptional({ enum: ['version', 'bounds'] }) @IsOptional() @IsIn(['version', 'bounds'], { message: 'kind 应为 version 或 bounds' })
  kind?: 'version' | 'bounds';
}
