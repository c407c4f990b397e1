import { Schema } from "effect"
import { mutation, query } from "../Method.js"
import { Id, NoParams } from "../model/common.js"
import { CustomerCode } from "../model/Incident.js"
import { RoleName, User } from "../model/User.js"
import { Customer, CustomerFields } from "../model/Customer.js"

const Password = Schema.String.pipe(Schema.minLength(8), Schema.maxLength(256)).annotations({
  description: "at least 8 characters"
})
const Email = Schema.String.pipe(Schema.minLength(3), Schema.maxLength(1024), Schema.pattern(/^[^\s@]+@[^\s@]+$/))
const LoginName = Schema.String.pipe(Schema.minLength(1), Schema.maxLength(50), Schema.pattern(/^[A-Za-z0-9._@-]+$/)).annotations({
  description: "letters, digits and . _ @ - (it is also what assigned_to holds, varchar(50))"
})

export const UsersList = query({
  method: "users/list",
  description: "Every user with its role (admin).",
  params: NoParams,
  result: Schema.Array(User),
  audience: "admin"
})

export const UsersAssignees = query({
  method: "users/assignees",
  description: "Who alerts and cases may be assigned to: the admins and analysts, by username (writers).",
  params: NoParams,
  result: Schema.Array(Schema.Struct({ username: Schema.String, role: Schema.Literal("admin", "analyst") })),
  audience: "writer"
})

export const UsersCreate = mutation({
  method: "users/create",
  description: "Create a user (admin); the password is stored as a bcrypt hash.",
  params: Schema.Struct({ username: LoginName, email: Email, password: Password, role: RoleName }),
  result: User,
  audience: "admin"
})

export const UsersUpdate = mutation({
  method: "users/update",
  description: "Change a user's email, password or role (admin).",
  params: Schema.Struct({
    id: Id,
    email: Schema.optional(Email),
    password: Schema.optional(Password),
    role: Schema.optional(RoleName)
  }),
  result: Schema.Struct({ updated: Schema.Array(Id) }),
  audience: "admin",
  idempotent: true
})

export const UsersDelete = mutation({
  method: "users/delete",
  description: "Delete a user and its grants and tokens (admin; not oneself).",
  params: Schema.Struct({ id: Id }),
  result: Schema.Struct({ deleted: Schema.Array(Id) }),
  audience: "admin",
  destructive: true,
  idempotent: true
})

export const CustomerAccessSet = mutation({
  method: "users/customerAccess/set",
  description: "Replace the customers a customer_user may see (admin): rows of user_customer_access.",
  params: Schema.Struct({ userId: Id, customerCodes: Schema.Array(CustomerCode).pipe(Schema.maxItems(1000)) }),
  result: Schema.Struct({ userId: Id, customerCodes: Schema.Array(Schema.String) }),
  audience: "admin",
  idempotent: true
})

export const RolesList = query({
  method: "roles/list",
  description: "The four roles with CoPilot's ids.",
  params: NoParams,
  result: Schema.Array(Schema.Struct({ id: Id, name: Schema.String, description: Schema.String }))
})

export const CustomersList = query({
  method: "customers/list",
  description: "Customers the user may see.",
  params: NoParams,
  result: Schema.Array(Customer)
})

export const CustomersGet = query({
  method: "customers/get",
  description: "One customer by code.",
  params: Schema.Struct({ customerCode: CustomerCode }),
  result: Customer
})

export const CustomersCreate = mutation({
  method: "customers/create",
  description: "Create a customer (admin).",
  params: Schema.Struct({ customerCode: CustomerCode, ...CustomerFields }),
  result: Customer,
  audience: "admin"
})

export const CustomersUpdate = mutation({
  method: "customers/update",
  description: "Change a customer's fields (admin); the code is its key and does not change.",
  params: Schema.Struct({ customerCode: CustomerCode, ...CustomerFields, customerName: Schema.optional(CustomerFields.customerName) }),
  result: Customer,
  audience: "admin",
  idempotent: true
})
