#!/usr/bin/env node
/**
 * Service and PostgreSQL CPU per request kind (issue 21): the inclusion bench's requests run in
 * stages, one kind after another (CREATE for N households, their uploads, each step, the notice
 * timers, polls), with CPU ticks of the service's process tree and of every PostgreSQL process
 * read from /proc around each stage. Needs `npm run build`, DATABASE_URL and REDIS_URL.
 *
 *   node scripts/request-kinds.js [BUILD_DIR=.] [N=300]
 *   ONLY=upload node scripts/request-kinds.js     # CREATE, then uploads only (to profile them)
 *   ONLY=floor  node scripts/request-kinds.js     # the framework's floor: GET /evidence/types, /health
 *
 * BUILD_DIR may be another commit's built worktree (bench:ab keeps one with --keep) to compare
 * the same stages; the bench's helpers come from this tree's dist/bench. Figures vary ±15 % run
 * to run on the 2-core machine: compare within one sitting.
 */
// Service CPU per request kind: stages run one after another, service+postgres CPU ticks per stage.
// usage: node /work/tools/stages.js ROOT(build dir) [N]
const path=require('path');const root=path.resolve(process.argv[2]||'.');const N=Number(process.argv[3]||300);const C=32;
const B=(m)=>require(path.join(__dirname,'..','dist','bench',m));
const {createDatabase,dropDatabase,serviceEnv,startService,stopService,waitForHealth,runSeeds,freePort,deleteRedisPrefix}=B('infra.js');
const {Api}=B('http.js');const {Recorder}=B('stats.js');const W=B('workload.js');const {statOf,clkTck}=B('procstat.js');
const {randomUUID}=require('crypto');const fs=require('fs');const os=require('os');const cp=require('child_process');
const DB=process.env.DATABASE_URL||'postgres://postgres@127.0.0.1:5432/postgres';const RU=process.env.REDIS_URL||'redis://127.0.0.1:6379';
function treeTicks(root){const all=[];for(const d of fs.readdirSync('/proc')){if(!/^\d+$/.test(d))continue;try{const s=fs.readFileSync(`/proc/${d}/stat`,'utf8');const f=s.slice(s.lastIndexOf(')')+2).split(' ');all.push({pid:+d,ppid:+f[1],t:+f[11]+ +f[12]});}catch{}}const inT=new Set([root]);let ch=true;while(ch){ch=false;for(const p of all)if(!inT.has(p.pid)&&inT.has(p.ppid)){inT.add(p.pid);ch=true;}}return all.filter(p=>inT.has(p.pid)).reduce((a,p)=>a+p.t,0);}
function pgTicks(){let t=0;for(const d of fs.readdirSync('/proc')){if(!/^\d+$/.test(d))continue;try{const s=fs.readFileSync(`/proc/${d}/stat`,'utf8');const comm=s.slice(s.indexOf('(')+1,s.lastIndexOf(')'));if(comm.startsWith('postgres')||comm.startsWith('postmaster')){const f=s.slice(s.lastIndexOf(')')+2).split(' ');t+=Number(f[11])+Number(f[12]);}}catch{}}return t;}
(async()=>{const stop=new AbortController().signal;const rec=new Recorder();const db=await createDatabase(DB);const prefix='bench-'+require('crypto').randomBytes(6).toString('hex');
const dataDir=fs.mkdtempSync(path.join(os.tmpdir(),'stages-'));const port=await freePort();const base=`http://127.0.0.1:${port}`;
const env={...serviceEnv({port,databaseUrl:db.url,redisUrl:RU,queuePrefix:prefix,dataDir}),WEB_CONCURRENCY:'1'};
const svc=startService(root,env);try{await waitForHealth(base,svc,120000,stop);await runSeeds(root,env,120000);
const api=new Api(base,rec,stop);const tok={};for(const [u,p] of [['admin','Admin@2026'],[W.VILLAGE,'Demo@2026'],[W.TOWNSHIP,'Demo@2026'],[W.COUNTY,'Demo@2026']])tok[u]=(await api.call('login','POST','/auth/login',{json:{username:u,password:p},expect:200})).accessToken;
await api.call('p','PUT','/policies/bounds',{token:tok.admin,json:{reason:'基准测试库：公示期缩短到秒级，仅用于性能测试',bounds:{'inclusion.noticePeriod':{min:'PT1S'}}}});
await api.call('p','PUT',`/policies/${W.COUNTY_CODE}`,{token:tok.admin,json:{effectiveFrom:new Date(Date.now()-1000).toISOString(),values:{'inclusion.noticePeriod':'PT1S'}}});
const hh=new Array(N);await W.pool([...Array(N).keys()],C,stop,async i=>{hh[i]=(await api.call('h','POST','/households',{token:tok[W.VILLAGE],json:W.householdBody(i)})).id;});
const runs=hh.map((h,i)=>({i,h}));const out=[];
async function stage(name,count,fn){const s0=treeTicks(svc.pid),p0=pgTicks(),t0=Date.now();await W.pool(runs,C,stop,fn);const s1=treeTicks(svc.pid),p1=pgTicks(),t1=Date.now();const per=(x)=>(x*1000/clkTck/count).toFixed(2);out.push(`${name.padEnd(22)} n=${count} wall ${(t1-t0)}ms  service ${per(s1-s0)} ms/req  pg ${per(p1-p0)} ms/req  ${(count/(t1-t0)*1000).toFixed(0)} req/s`);console.error(out[out.length-1]);}
const up=async(r,type)=>{const f=new FormData();f.append('type',type);f.append('caseId',r.id);f.append('file',W.pdf(`${r.id} ${type} ${randomUUID()}`),`${type}.pdf`);return (await api.call('upload','POST','/evidence',{token:tok[W.VILLAGE],form:f})).id;};
const send=async(r,user,body)=>{const v=await api.call('ev','POST',`/cases/${r.id}/events`,{token:tok[user],headers:{'Idempotency-Key':randomUUID()},json:{...body,version:r.v},expect:200});r.v=v.version;return v;};
await stage('CREATE',N,async r=>{const c=await api.call('CREATE','POST','/procedures/monitoring-inclusion/cases',{token:tok[W.VILLAGE],json:{householdId:r.h,channel:'self_report',riskDescription:'户主突发脑梗住院，自付医疗费用约4万元',urgent:true}});r.id=c.id;r.v=c.version;});
await stage('upload x2',2*N,async r=>{r.e1=[await up(r,'household_survey'),await up(r,'income_calculation')];});
await stage('RECORD_VERIFICATION',N,async r=>{await send(r,W.VILLAGE,{type:'RECORD_VERIFICATION',evidenceIds:r.e1,data:W.verificationData});});
await stage('upload x2 (b)',2*N,async r=>{r.e2=[await up(r,'meeting_minutes'),await up(r,'sign_in_sheet')];});
await stage('RECORD_APPRAISAL',N,async r=>{await send(r,W.VILLAGE,{type:'RECORD_APPRAISAL',evidenceIds:r.e2,data:{result:'passed'}});});
await stage('upload x1',N,async r=>{r.e3=[await up(r,'notice_photo')];});
if(process.env.ONLY==='floor'){for(let k=0;k<3;k++){await stage('GET /evidence/types x4',4*N,async r=>{for(let j=0;j<4;j++)await api.call('t','GET','/evidence/types',{token:tok[W.VILLAGE]});});await stage('GET /health x4',4*N,async r=>{for(let j=0;j<4;j++)await api.call('t','GET','/health',{});});}console.log(out.join('\n'));return;}
if(process.env.ONLY==='upload'){for(let k=0;k<4;k++)await stage('upload x2 more',2*N,async r=>{await up(r,'household_survey');await up(r,'income_calculation');});const te=Date.now();await stopService(svc);console.log('stopped after',Date.now()-te,'ms');return;}
const t0=Date.now();
await stage('PUBLISH_NOTICE',N,async r=>{await send(r,W.VILLAGE,{type:'PUBLISH_NOTICE',evidenceIds:r.e3,data:{text:`霍庄村拟纳入防止返贫监测对象名单公示：压测户${r.i+1}户`}});});
{const i0=treeTicks(svc.pid);await new Promise(r=>setTimeout(r,6000));const i1=treeTicks(svc.pid);out.push(`timer wait 6s: service ${((i1-i0)*1000/clkTck/N).toFixed(2)} ms per case (idle baseline below)`);const b0=treeTicks(svc.pid);await new Promise(r=>setTimeout(r,6000));out.push(`idle 6s: service ${((treeTicks(svc.pid)-b0)*1000/clkTck/N).toFixed(2)} ms per case-equivalent`);}
await stage('poll x2',2*N,async r=>{await api.call('poll','GET',`/cases/${r.id}`,{token:tok[W.VILLAGE]});const v=await api.call('poll','GET',`/cases/${r.id}`,{token:tok[W.VILLAGE]});r.v=v.version;if(v.state!=='township_review')throw new Error('state '+v.state);});
await stage('APPROVE@township',N,async r=>{await send(r,W.TOWNSHIP,{type:'APPROVE',data:{opinion:'经审核情况属实，同意上报'}});});
await stage('APPROVE@county',N,async r=>{const v=await send(r,W.COUNTY,{type:'APPROVE',data:{monitoringType:'sudden_hardship',riskTypes:['illness'],startDate:'2026-11-01',assistanceContact:{name:'孙立新',unit:'建安区乡村振兴局',phone:'13903740000'},opinion:'同意纳入监测，落实帮扶措施'}});if(v.state!=='included')throw new Error(v.state);});
console.log(out.join('\n'));console.log('errors',rec.errors?.length??JSON.stringify(rec).slice(0,300));
}finally{await stopService(svc);await dropDatabase(DB,db.name).catch(()=>{});await deleteRedisPrefix(RU,prefix).catch(()=>{});}})().catch(e=>{console.error(e);process.exit(1);});
