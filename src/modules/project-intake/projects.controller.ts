import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentUser } from '../../common/auth/decorators';
import type { AuthUser } from '../../common/auth/auth-user';
import { ProjectFiguresQuery, ProjectListQuery } from './project-intake.dto';
import { ProjectsService } from './projects.service';

/** 项目库: the library and the county's figures; applications and changes are cases. */
@ApiTags('projects')
@ApiBearerAuth()
@Controller('projects')
export class ProjectsController {
  constructor(private readonly projects: ProjectsService) {}

  @Get()
  list(@Query() q: ProjectListQuery, @CurrentUser() user: AuthUser) {
    return this.projects.list(user, q);
  }

  /** linkage funds, industry share against `projects.industryShareMin`, per township */
  @Get('figures')
  figures(@Query() q: ProjectFiguresQuery, @CurrentUser() user: AuthUser) {
    return this.projects.figures(user, q);
  }

  @Get(':id')
  get(@Param('id') id: string, @CurrentUser() user: AuthUser) {
    return this.projects.get(user, id);
  }
}
