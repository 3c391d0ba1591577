/**
 * Resuming after a crash: the service is killed (SIGKILL) in the middle of a head's interview
 * and started again on the same database (SQLite, and PostgreSQL when there is a server); the
 * head carries on at the next question, with every answer given before the crash intact.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { SYSTEM } from '../../packages/workflows/dist/index.js';
import { startFakeConnector } from '../support/fakeConnector.js';
import { backends } from '../support/postgres.js';
import { dataDir, startService, type ServiceProcess } from '../support/serviceProcess.js';
import { serviceDatabase, withStore } from '../support/stores.js';
import { actionData, answerFor, cardOf, cardText, elements, executeActivity, messageActivity, type TeamsUser } from '../support/teamsActivities.js';
import { post } from './teamsHttp.js';

const head: TeamsUser = { id: '29:demo-head', name: 'Demo Head', aadObjectId: '3f9a2b7c-1e4d-4a6b-8c2d-9e0f1a2b3c4d' };
const conversation = 'a:demo-head-personal-chat';

describe.each(backends())('resuming an interview after the service is killed (%s store)', (backend) => {
  const running: ServiceProcess[] = [];
  afterAll(async () => {
    for (const s of running) if (s.child.exitCode === null) await s.stop();
  });

  it('continues at the next question with every earlier answer intact', async () => {
    const connector = await startFakeConnector();
    const dir = dataDir();
    const db = await serviceDatabase(backend, dir, 'resume');
    let service = await startService(dir, db.env);
    running.push(service);

    const message = messageActivity(head, connector.url, conversation, 'start peap DEMO-001');
    await post(service.url, message);
    let card = cardOf((await connector.waitForReplyTo(message.id)).activity);
    const answered: Record<string, string> = {};
    const caseId = actionData(card, 'peap.answer').caseId;
    for (let i = 0; i < 6; i++) {
      const data = actionData(card, 'peap.answer');
      const answer = answerFor(card, `answer ${i + 1} before the crash`);
      answered[String(data.questionId)] = answer;
      const res = await post(service.url, executeActivity(head, connector.url, conversation, 'card', 'peap.answer', { ...data, answer }));
      card = res.body.value;
    }
    expect(cardText(card)).toContain('question 7 of');

    await service.kill();
    service = await startService(dir, db.env);
    running.push(service);

    // On another day, another device: "my cases", then Continue on DEMO-001's assessment. (The
    // list holds the other PEAPs the rules opened too, in an order their timing decides.)
    const again = messageActivity({ ...head, id: '29:demo-head-on-a-phone' }, connector.url, 'a:another-device', 'my cases');
    await post(service.url, again);
    const list = cardOf((await connector.waitForReplyTo(again.id)).activity);
    const resume = elements(list).find((e) => e.type === 'Action.Execute' && e.verb === 'peap.resume' && (e.data as { caseId?: unknown }).caseId === caseId)?.data as Record<string, unknown> | undefined;
    expect(resume, `a Continue button for ${String(caseId)} in:\n${cardText(list)}`).toBeDefined();
    const res = await post(service.url, executeActivity(head, connector.url, 'a:another-device', 'card', 'peap.resume', resume!));
    expect(cardText(res.body.value)).toContain('question 7 of');

    const { context } = await withStore(db, (store) => store.cases.get(SYSTEM, String(caseId), 'peap'));
    for (const [questionId, answer] of Object.entries(answered)) {
      const saved = questionId === 'meeting.date' ? context.meetingDate : context.answers[questionId]?.value;
      expect(saved, questionId).toBe(answer);
    }
    await connector.close();
  });
});
