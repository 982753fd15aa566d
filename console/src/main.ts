import { createApp } from 'vue';
import { createRouter, createWebHistory } from 'vue-router';
import App from './App.vue';
import { session, whenUnauthenticated } from './api';
import './style.css';

// every console page lives under /app/ (the API owns the other paths: GET /tasks is the API)
const router = createRouter({
  history: createWebHistory('/app/'),
  routes: [
    { path: '/', redirect: '/tasks' },
    { path: '/login', component: () => import('./pages/LoginPage.vue'), meta: { public: true, title: '登录' } },
    { path: '/notices', component: () => import('./pages/NoticesPage.vue'), meta: { public: true, title: '公示公告' } },
    { path: '/tasks', component: () => import('./pages/TaskList.vue'), props: { mode: 'todo' }, meta: { title: '待办' } },
    { path: '/done', component: () => import('./pages/TaskList.vue'), props: { mode: 'done' }, meta: { title: '已办' } },
    { path: '/mine', component: () => import('./pages/TaskList.vue'), props: { mode: 'mine' }, meta: { title: '我发起的' } },
    { path: '/cases/:id', component: () => import('./pages/CasePage.vue'), props: true, meta: { title: '案件' } },
    { path: '/new-lead', component: () => import('./pages/NewLead.vue'), meta: { title: '新建线索' } },
    { path: '/create', component: () => import('./pages/CreatePage.vue'), meta: { title: '新建' } },
    { path: '/create/:form', component: () => import('./pages/CreatePage.vue'), props: true, meta: { title: '新建' } },
    { path: '/households', component: () => import('./pages/HouseholdsPage.vue'), meta: { title: '农户档案' } },
    { path: '/policies', component: () => import('./pages/PoliciesPage.vue'), meta: { title: '政策参数' } },
    { path: '/imports', component: () => import('./pages/ImportsPage.vue'), meta: { title: '部门预警导入' } },
    { path: '/registry-import', component: () => import('./pages/RegistryImportPage.vue'), meta: { title: '农户信息导入' } },
    { path: '/admin', component: () => import('./pages/AdminPage.vue'), meta: { title: '系统管理' } },
    { path: '/ledgers', component: () => import('./pages/LedgersPage.vue'), meta: { title: '台账与统计' } },
    { path: '/forms', component: () => import('./pages/FormsPage.vue'), meta: { title: '办理表单一览' } },
    { path: '/:rest(.*)*', component: () => import('./pages/NotFound.vue'), meta: { public: true, title: '页面不存在' } },
  ],
});
router.beforeEach((to) => {
  if (!to.meta.public && !session.token) return { path: '/login', query: to.fullPath !== '/tasks' ? { next: to.fullPath } : {} };
});
router.afterEach((to) => {
  document.title = `${(to.meta.title as string) ?? ''} · 防止返贫监测帮扶审批`;
});
whenUnauthenticated(() => router.push('/login'));

createApp(App).use(router).mount('#app');
