// Express 4 is installed as the `express4` alias and has no types of its own; its API is the
// part of @types/express (5) that these tests use.
declare module 'express4' {
  import express from 'express';
  export default express;
}
