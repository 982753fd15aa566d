import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '../../common/auth/auth-user';
import { CurrentUser, Roles } from '../../common/auth/decorators';
import { CopiedTextsService } from './copied-texts.service';
import { CopiedTextsQuery } from './inspection-texts.dto';

/**
 * Issue 12: the same reason, opinion or justification pasted into many cases of an area, for
 * those who oversee the area (township, county, supervisor). Kept apart from the risk-elimination
 * detectors; same prefix and the same area scoping.
 */
@ApiTags('inspection')
@ApiBearerAuth()
@Controller('inspection')
export class CopiedTextsController {
  constructor(private readonly service: CopiedTextsService) {}

  @Roles('township', 'county', 'supervisor')
  @Get('copied-texts')
  copiedTexts(@Query() q: CopiedTextsQuery, @CurrentUser() user: AuthUser) {
    return this.service.find(user, q);
  }
}
