import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { PageQuery } from '../engine/cases.dto';
import { NOTIFICATION_KINDS, type NotificationKind } from './outbox.service';

export class NotificationListQuery extends PageQuery {
  /** only unread ones */
  @ApiPropertyOptional() @IsOptional() @Transform(({ value }) => value === 'true' || value === true) @IsBoolean()
  unread?: boolean;
}

export class CreateWebhookDto {
  /** where deliveries are POSTed (http or https) */
  @ApiProperty({ example: 'https://oa.example.gov.cn/hooks/approvals' })
  @IsString() @MaxLength(500) @Matches(/^https?:\/\/[^\s]+$/i, { message: 'url 应为 http(s) 地址' })
  url: string;

  /** HMAC-SHA256 key the receiver checks `X-Approvals-Signature` with; at least 16 characters, never shown again */
  @ApiProperty() @IsString() @MinLength(16) @MaxLength(200)
  secret: string;

  /** only events of this area and below; omitted: the admin's own area (every area for a global admin) */
  @ApiPropertyOptional({ example: '411003000000' })
  @IsOptional() @Matches(/^\d{12}$/, { message: 'areaCode 应为12位统计用区划代码' })
  areaCode?: string;

  /** event kinds to send; omitted or empty: all */
  @ApiPropertyOptional({ enum: NOTIFICATION_KINDS, isArray: true })
  @IsOptional() @IsArray() @ArrayMaxSize(10) @IsIn(NOTIFICATION_KINDS, { each: true })
  events?: NotificationKind[];
}
