from sqlalchemy import select

from portal.auth.models import Customer, Role


def test_create_staff_makes_a_staff_account_that_can_sign_in(app, client, session):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["create-staff", "Sam@Store.example", "--name", "Sam Staff",
                                 "--password", "a-good-password"])
    assert result.exit_code == 0, result.output
    staff = session.scalar(select(Customer).where(Customer.email == "sam@store.example"))
    assert staff.role == Role.STAFF
    response = client.post("/login", data={"email": "sam@store.example",
                                           "password": "a-good-password"})
    assert response.status_code == 302
    # A new staff member sets up two-step sign-in before the console opens.
    assert client.get("/staff/").location.endswith("/account/two-factor")


def test_create_staff_refuses_a_taken_email(app, session):
    runner = app.test_cli_runner()
    args = ["create-staff", "sam@store.example", "--password", "a-good-password"]
    assert runner.invoke(args=args).exit_code == 0
    result = runner.invoke(args=args)
    assert result.exit_code == 1
    assert "already exists" in result.output


def test_create_admin(app, session):
    result = app.test_cli_runner().invoke(
        args=["create-staff", "boss@store.example", "--admin", "--password", "a-good-password"])
    assert result.exit_code == 0
    assert session.scalar(select(Customer.role)) == Role.ADMIN
