// s3rver 3.7.1 ships no types; the bench and the tests use only this much of it.
declare module "s3rver" {
  export default class S3rver {
    constructor(options: { port: number; address: string; directory: string; silent?: boolean })
    run(): Promise<{ address: string; port: number }>
    close(): Promise<void>
  }
}
