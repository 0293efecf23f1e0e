/**
 * Runs `work` on `jobs` workers at once, each taking the next item as soon as it is free, so a slow case on
 * one rig never holds up the others. `next` returning undefined ends a worker; it is asked again only when a
 * worker is free, so it can decide from the results so far (`--until-coverage`).
 */
export async function runJobs<T>(jobs: number, next: () => T | undefined, work: (item: T, job: number) => Promise<void>): Promise<void> {
  await Promise.all(
    Array.from({ length: jobs }, async (_, job) => {
      for (let item = next(); item !== undefined; item = next()) await work(item, job);
    }),
  );
}
