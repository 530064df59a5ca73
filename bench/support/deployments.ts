/**
 * Where Plaza's cases run: which database, and how many server processes share it. The
 * default is today's bench: one instance on SQLite, hosted in the bench process.
 */
export const DATABASE_KINDS = ['sqlite', 'postgres'] as const;
export type DatabaseKind = (typeof DATABASE_KINDS)[number];

export const INSTANCE_COUNTS = [1, 2] as const;
export type InstanceCount = (typeof INSTANCE_COUNTS)[number];

export interface Deployment {
  readonly database: DatabaseKind;
  /**
   * 1: Plaza in the bench process (as the default bench hosts it). 2: two `plaza-server`
   * processes on one database, the load spread over both, connection by connection.
   */
  readonly instances: InstanceCount;
}

export const DEFAULT_DEPLOYMENT: Deployment = { database: 'sqlite', instances: 1 };

/** `--scale-out`: the like and read cases on each of these, in one run. */
export const SCALE_OUT_DEPLOYMENTS: readonly Deployment[] = [
  { database: 'sqlite', instances: 1 },
  { database: 'postgres', instances: 1 },
  { database: 'postgres', instances: 2 },
];

/** `sqlite`, `postgres`, `postgres x2`: how the tables name a deployment. */
export const deploymentLabel = (deployment: Deployment): string =>
  deployment.instances === 1
    ? deployment.database
    : `${deployment.database} x${deployment.instances}`;

/** A name fit for a file or a PostgreSQL schema: `sqlite`, `postgres_x2`. */
export const deploymentSlug = (deployment: Deployment): string =>
  deploymentLabel(deployment).replace(' ', '_');

export const isDefaultDeployment = (deployment: Deployment): boolean =>
  deployment.database === DEFAULT_DEPLOYMENT.database &&
  deployment.instances === DEFAULT_DEPLOYMENT.instances;

export const sameDeployment = (a: Deployment, b: Deployment): boolean =>
  a.database === b.database && a.instances === b.instances;
