import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { PageQuery } from '../engine/cases.dto';
import { LEDGER_KINDS } from './record-ledger';

export class CheckpointListQuery extends PageQuery {}

export class CheckpointVerifyQuery {
  /** a copy of the root kept outside the service (e.g. received by a webhook) */
  @ApiPropertyOptional() @IsOptional() @Matches(/^[0-9a-fA-F]{64}$/, { message: 'root 应为64位十六进制的 SHA-256 根哈希' })
  root?: string;
}

export class LedgerVerifyQuery {
  @ApiPropertyOptional() @IsOptional() @Matches(/^\d{12}$/, { message: 'areaCode 应为12位统计用区划代码' })
  areaCode?: string;

  @ApiPropertyOptional({ enum: LEDGER_KINDS }) @IsOptional() @IsIn(LEDGER_KINDS, { message: `kind 应为 ${LEDGER_KINDS.join('、')} 之一` })
  kind?: string;

  /** the chain's subject: a monitoring object, household, hiring case, area code or user id */
  @ApiPropertyOptional() @IsOptional() @IsString({ message: 'subjectId 应为字符串' }) @MaxLength(36, { message: 'subjectId 最长36个字符' })
  subjectId?: string;
}
