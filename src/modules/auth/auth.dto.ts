import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength, MinLength } from 'class-validator';

export class LoginDto {
  @ApiProperty({ example: 'jianan_county' })
  @IsString() @MinLength(1) @MaxLength(64)
  username: string;

  @ApiProperty({ example: 'Demo@2026' })
  @IsString() @MinLength(1) @MaxLength(200)
  password: string;
}
