import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDateString, IsInt, IsOptional, Matches, Max, Min } from 'class-validator';

/** `GET /inspection/copied-texts` (issue 12). */
export class CopiedTextsQuery {
  @ApiPropertyOptional({ description: '12位区划代码，默认本人辖区' })
  @IsOptional() @Matches(/^\d{12}$/, { message: 'areaCode 应为12位统计用区划代码' })
  areaCode?: string;

  @ApiPropertyOptional({ description: '同一段文字至少出现在多少个案件中才列出（默认 inspection.copiedTextMinCases）' })
  @IsOptional() @Type(() => Number) @IsInt({ message: 'minCases 应为整数' }) @Min(2, { message: 'minCases 至少为 2' }) @Max(10000, { message: 'minCases 至多为 10000' })
  minCases?: number;

  @ApiPropertyOptional({ description: '参与比对的最短文字，字数不计空格标点（默认 inspection.copiedTextMinLength）' })
  @IsOptional() @Type(() => Number) @IsInt({ message: 'minLength 应为整数' }) @Min(1, { message: 'minLength 至少为 1' }) @Max(2000, { message: 'minLength 至多为 2000' })
  minLength?: number;

  @ApiPropertyOptional({ description: '只看此时刻之后写下的文字（ISO 8601，默认 inspection.copiedTextWindow 之前）' })
  @IsOptional() @IsDateString({}, { message: 'since 应为 ISO 8601 日期或时间' })
  since?: string;
}
