import { graphql } from './generated/gql';

/**
 * What every refused input carries, selected by each mutation as `...ValidationFailure`: the
 * summary line and one message per field, shown beside it (see field-errors.ts).
 */
graphql(`
  fragment ValidationFailure on ValidationError {
    message
    fieldErrors {
      path
      message
    }
  }
`);
