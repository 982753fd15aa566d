import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsOptional, IsString, IsUUID, MaxLength, MinLength } from 'class-validator';

/** `POST /procedures/monitoring-inclusion/cases` */
export class CreateInclusionDto {
  @ApiProperty() @IsUUID('all', { message: 'householdId 应为农户编号' })
  householdId: string;

  /**
   * `follow_up` (回头看发现返贫风险) is opened only by a follow-up visit that records a returned risk,
   * `registry_change` (户籍变动发现风险, issue 13) only by a registry change that took a household's
   * only working member; never by this endpoint
   */
  @ApiProperty({
    enum: ['self_report', 'department_alert', 'cadre_visit', 'follow_up', 'registry_change'],
    description: '农户自主申报 / 部门筛查预警 / 基层干部排查 / 回头看发现风险（仅由录入回头看生成）/ 家庭成员变动发现风险（仅由成员变更生成）',
  })
  @IsIn(['self_report', 'department_alert', 'cadre_visit', 'follow_up', 'registry_change'])
  channel: 'self_report' | 'department_alert' | 'cadre_visit' | 'follow_up' | 'registry_change';

  @ApiProperty({ example: '户主突发脑梗住院，自付医疗费用约4万元' })
  @IsString() @MinLength(4) @MaxLength(2000)
  riskDescription: string;

  /** 突发严重困难: assistance may start before approval (先帮扶后认定) */
  @ApiPropertyOptional({ default: false }) @IsOptional() @IsBoolean()
  urgent?: boolean;
}
