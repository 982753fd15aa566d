import { Module } from '@nestjs/common';
import { ProjectIntakeAdapter } from './project-intake.adapter';
import { ProjectsController } from './projects.controller';
import { ProjectsService } from './projects.service';

/** 项目库入库: the project-intake machine plugged into the engine, and the library it fills. */
@Module({ controllers: [ProjectsController], providers: [ProjectIntakeAdapter, ProjectsService] })
export class ProjectIntakeModule {}
