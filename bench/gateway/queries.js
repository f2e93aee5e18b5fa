// @ts-check
/**
 * The benchmark's operations, from small to large. `fetches` is the number of subgraph fetches in
 * the query plan (checked by the harness against the subgraphs' request counters).
 */

const SMALL = /* GraphQL */ `
  query TopProductNames {
    topProducts(first: 5) {
      upc
      name
      price
    }
  }
`;

const MEDIUM = /* GraphQL */ `
  query TopProductsWithReviews($first: Int = 5) {
    topProducts(first: $first) {
      upc
      name
      price
      inStock
      reviews {
        id
        rating
        title
        author {
          id
          username
        }
      }
    }
  }
`;

const ABSTRACT = /* GraphQL */ `
  query AccountsAndSearch($text: String!) {
    accounts {
      __typename
      id
      name
      ... on User {
        username
        reviewCount
      }
      ... on Organization {
        members {
          id
          username
        }
      }
    }
    search(text: $text) {
      __typename
      ... on Product {
        upc
        name
        price
        shippingEstimate
      }
      ... on Category {
        id
        name
      }
    }
  }
`;

/**
 * A storefront page as a frontend writes it: fragments per component, every card field spelled
 * out. Five fetches: products (top products), then reviews (their reviews, the authors and the
 * authors' reviews) in parallel with inventory (stock, and the shipping estimate that @requires
 * price and weight), then users (the authors' profiles) in parallel with products (the products
 * of the authors' reviews).
 */
const LARGE = /* GraphQL */ `
  query StorefrontTopProducts($first: Int = 5, $reviewsPerProduct: Int = 3, $reviewsPerAuthor: Int = 2) {
    topProducts(first: $first) {
      ...ProductTile
      ...ProductPrice
      ...ProductBadges
      ...ProductAvailability
      ...ProductDetails
      ...ProductRatingSummary
      ...ProductVariants
      ...ProductStructuredData
      ...ProductAnalytics
      ...ProductBreadcrumb
      related {
        ...ProductLink
        ...ProductPrice
        ...ProductAnalytics
      }
      reviews(first: $reviewsPerProduct) {
        ...ReviewCard
        ...ReviewStructuredData
        ...ReviewHelpfulness
        author {
          ...AuthorCard
          ...AuthorAvatar
          ...AuthorStats
          ...AuthorProfileLink
          reviews(first: $reviewsPerAuthor) {
            ...ReviewCard
            ...ReviewHelpfulness
            product {
              ...ProductLink
              ...ProductPrice
            }
          }
        }
      }
    }
  }

  # The product tile of the storefront grid.
  fragment ProductTile on Product {
    __typename
    upc
    slug
    name
    brand
    color
    category {
      __typename
      id
      name
    }
  }

  # Price badge: shown on tiles, links and the basket preview.
  fragment ProductPrice on Product {
    upc
    price
    priceCurrency: currency
    weight
  }

  # Badges on the tile: bestseller, material, warranty.
  fragment ProductBadges on Product {
    upc
    tags
    material
    warrantyMonths
    color
  }

  # Stock and delivery line under the price (inventory; the estimate needs price and weight).
  fragment ProductAvailability on Product {
    upc
    inStock
    quantity
    shippingEstimate
  }

  # Detail drawer opened from a tile.
  fragment ProductDetails on Product {
    upc
    name
    description
    brand
    origin
    countryOfOrigin: origin
    warrantyMonths
    listedSince: createdAt
    dimensions
    category {
      id
      name
    }
  }

  # Stars and count next to the product name (reviews).
  fragment ProductRatingSummary on Product {
    upc
    reviewCount
    averageRating
  }

  # The size and colour picker: rows of sizes, one cell per colour, empty cells are null.
  fragment ProductVariants on Product {
    upc
    variantGrid {
      sku
      label
    }
  }

  # JSON-LD (schema.org Product) rendered into the page head for search engines.
  fragment ProductStructuredData on Product {
    upc
    sku
    gtin13: ean
    productName: name
    productBrand: brand
    productDescription: description
    priceInCents: price
    priceCurrency: currency
    itemWeight: weight
    itemColor: color
    itemMaterial: material
  }

  # The fields every analytics event about a product carries (view_item, select_item).
  fragment ProductAnalytics on Product {
    upc
    itemId: sku
    itemName: name
    itemBrand: brand
    itemCategory: category {
      id
      name
    }
    value: price
    currency
  }

  # Home > Category > Product, above the detail drawer.
  fragment ProductBreadcrumb on Product {
    upc
    slug
    name
    category {
      __typename
      id
      name
    }
  }

  # A product named inside another card.
  fragment ProductLink on Product {
    __typename
    upc
    slug
    name
    brand
  }

  # One review in a list: title, stars, text and the badges under it.
  fragment ReviewCard on Review {
    __typename
    id
    title
    body
    rating
    createdAt
    updatedAt
    language
    pros
    cons
    helpfulCount
    verifiedPurchase
  }

  # JSON-LD (schema.org Review) for the first reviews of a product.
  fragment ReviewStructuredData on Review {
    id
    headline: title
    reviewBody: body
    ratingValue: rating
    datePublished: createdAt
    dateModified: updatedAt
    inLanguage: language
    upvotes: helpfulCount
    isVerified: verifiedPurchase
  }

  # "Was this helpful?" under a review: the count and whether the purchase is verified.
  fragment ReviewHelpfulness on Review {
    id
    helpfulCount
    verifiedPurchase
    rating
  }

  # The author line of a review: names, location, badges.
  fragment AuthorCard on User {
    __typename
    id
    username
    name
    displayName: name
    pronouns
    location
    website
    timezone
    joinedAt
    roles
  }

  # The avatar next to the author line (falls back to initials when null).
  fragment AuthorAvatar on User {
    id
    name
    avatarUrl
  }

  # The link to the author's profile page (/u/<username>) and its accessible label.
  fragment AuthorProfileLink on User {
    __typename
    id
    username
    label: name
  }

  # Counters shown when hovering the author.
  fragment AuthorStats on User {
    id
    username
    memberSince: joinedAt
    homepage: website
    reviewCount
  }
`;

/** @type {{ name: string, query: string, variables?: Record<string, unknown>, fetches: number }[]} */
export const BENCH_QUERIES = [
  { name: 'small', query: SMALL, fetches: 1 },
  { name: 'medium', query: MEDIUM, fetches: 3 },
  { name: 'abstract', query: ABSTRACT, variables: { text: 'digital' }, fetches: 4 },
  { name: 'large', query: LARGE, fetches: 5 },
];
