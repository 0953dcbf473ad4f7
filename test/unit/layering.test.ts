import { describe, expect, it } from 'vitest';
import { sourceFiles } from '../support/sourceFiles';

/** Issue 13 §4: layering runs one way — routes → libraries → db/domain — never back up into the HTTP layer. */
describe('layering', () => {
  it.each(['src/library', 'src/db', 'src/domain', 'src/temporal', 'src/mail', 'activities', 'workflows'])('%s never imports src/http', async (dir) => {
    const offenders = (await sourceFiles(dir)).filter(({ text }) => /from '(\.\.\/)+(src\/)?http\//.test(text)).map(({ file }) => file);
    expect(offenders).toEqual([]);
  });

  it('HTTP handlers go through libraries: no model query in src/http', async () => {
    const query = /models\.\w+\.(find|findOne|findById|findOneAndUpdate|findOneAndDelete|updateOne|updateMany|insertMany|deleteOne|deleteMany|create|countDocuments)\(/;
    const offenders = (await sourceFiles('src/http')).filter(({ text }) => query.test(text)).map(({ file }) => file);
    expect(offenders).toEqual([]);
  });
});
